import { describe, expect, it } from 'vitest'
import { alertCaseLinks } from './alerts'

describe('an alert\'s cases', () => {
  it('links each case by its id and names it by its title', () => {
    const links = alertCaseLinks([{ id: 'LX-1', title: '路灯不亮' }, { id: 'LX-2', title: '', status: 'received' }])
    expect(links).toEqual([
      { id: 'LX-1', to: '/staff/cases/LX-1', title: '路灯不亮' },
      { id: 'LX-2', to: '/staff/cases/LX-2', title: 'LX-2' },
    ])
    expect(links.map((l) => l.to).join()).not.toContain('[object Object]')
  })
  it('has no links when the alert has no cases', () => {
    expect(alertCaseLinks(undefined)).toEqual([])
    expect(alertCaseLinks([])).toEqual([])
  })
})
