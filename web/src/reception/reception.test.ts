import { describe, expect, it } from 'vitest'
import { changeText, idList, mayRaiseMatter, nextStep, withRetries } from './reception'

describe('reception desk', () => {
  it('moves a visit one step at a time and never past done', () => {
    expect(nextStep('booked')).toBe('check-in')
    expect(nextStep('waitlisted')).toBe('check-in')
    expect(nextStep('waiting')).toBe('receive')
    expect(nextStep('received')).toBe('finish')
    expect(nextStep('done')).toBeNull()
    expect(nextStep('cancelled')).toBeNull()
  })
  it('registers a matter only once the citizen is received', () => {
    expect(mayRaiseMatter('waiting')).toBe(false)
    expect(mayRaiseMatter('received')).toBe(true)
  })
  it('shows a change as from → to and reads typed lists', () => {
    expect(changeText({ at: '', kind: 'stand_in', field: 'leader', from: '李县长', to: '赵副县长' })).toBe('李县长 → 赵副县长')
    expect(changeText({ at: '', kind: 'changed', field: 'topics', from: [], to: ['教育', '卫生'] })).toBe(' → 教育、卫生')
    expect(idList('magistrate_li, deputy_zhao，deputy_chen')).toEqual(['magistrate_li', 'deputy_zhao', 'deputy_chen'])
  })
})

import messages from './messages'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

describe('reception messages', () => {
  it('English has every key of Chinese', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })
})

describe('retries', () => {
  it('tries again while the system is busy, never on a refusal', async () => {
    let calls = 0
    const busyTwice = () => { calls++; return calls < 3 ? Promise.reject({ status: 503 }) : Promise.resolve('ok') }
    expect(await withRetries(busyTwice, 3, 0)).toBe('ok')
    let refused = 0
    await expect(withRetries(() => { refused++; return Promise.reject({ status: 422 }) }, 3, 0)).rejects.toEqual({ status: 422 })
    expect(refused).toBe(1)
  })
})
