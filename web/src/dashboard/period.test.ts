import { describe, expect, it } from 'vitest'
import { drillQuery, quarterPeriod, recentQuarters } from './period'

describe('the leader period', () => {
  it('bounds a quarter in China Standard Time, the fourth into the next year', () => {
    expect(quarterPeriod('2026Q4')).toEqual({ from: '2026-10-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' })
    expect(quarterPeriod('2026Q1')?.to).toBe('2026-04-01T00:00:00+08:00')
    expect(quarterPeriod('2026Q5')).toBeNull()
  })
  it('counts quarters back from a date, across a year', () => {
    // 2026-12-31 20:00 UTC is already 2027-01-01 in Beijing
    expect(recentQuarters(new Date('2026-12-31T20:00:00Z'), 3)).toEqual(['2027Q1', '2026Q4', '2026Q3'])
  })
  it('links the on-time figure of a unit to its overdue cases in the period', () => {
    const p = quarterPeriod('2026Q4')!
    expect(drillQuery(p, 'unit', 'env', 'on_time')).toEqual({ ...p, unit: 'env', overdue: 'true' })
    expect(drillQuery(p, null, null, 'total')).toEqual(p)
  })
})
