import { describe, expect, it } from 'vitest'
import { byTimeLeft, risk, workingDaysBetween, workingDaysLeft } from './timeLeft'

// 2026-11-23 is a Monday.
const mon9 = new Date(2026, 10, 23, 9, 0)

describe('working days left', () => {
  it('counts weekdays only', () => {
    expect(workingDaysBetween(mon9, new Date(2026, 10, 24, 9, 0))).toBeCloseTo(1)
    // Friday 09:00 → next Monday 09:00 is one working day, not three.
    expect(workingDaysBetween(new Date(2026, 10, 27, 9, 0), new Date(2026, 10, 30, 9, 0)))
      .toBeCloseTo(1)
    expect(workingDaysBetween(mon9, new Date(2026, 10, 30, 9, 0))).toBeCloseTo(5)
  })

  it('is negative when the due date has passed', () => {
    expect(workingDaysBetween(new Date(2026, 10, 25, 9, 0), mon9)).toBeCloseTo(-2)
  })

  it('rounds to one decimal and uses the API figure when given', () => {
    const due = new Date(2026, 10, 23, 21, 0).toISOString()
    expect(workingDaysLeft({ due_at: due }, mon9)).toBe(0.5)
    expect(workingDaysLeft({ due_at: due, working_days_left: 3 }, mon9)).toBe(3)
    expect(workingDaysLeft({ due_at: null }, mon9)).toBeNull()
  })
})

describe('risk and queue order', () => {
  it('takes the colour from the API', () => {
    expect(risk({ overdue: true, warning: 'red' })).toBe('red')
    expect(risk({ overdue: false, warning: 'yellow' })).toBe('yellow')
    expect(risk({ overdue: false, warning: 'none' })).toBe('none')
  })

  it('puts overdue first, then at risk, then by time left, no deadline last', () => {
    const d = (days: number) => new Date(mon9.getTime() + days * 86400000).toISOString()
    const items = [
      { id: 'none-late', due_at: d(4), warning: 'none', overdue: false },
      { id: 'nodue', due_at: null, warning: 'none', overdue: false },
      { id: 'yellow', due_at: d(1), warning: 'yellow', overdue: false },
      { id: 'red', due_at: d(-1), warning: 'red', overdue: true },
      { id: 'none-soon', due_at: d(2), warning: 'none', overdue: false },
    ]
    expect(byTimeLeft(items, mon9).map((i) => i.id))
      .toEqual(['red', 'yellow', 'none-soon', 'none-late', 'nodue'])
  })
})
