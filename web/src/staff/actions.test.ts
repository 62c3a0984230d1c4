import { describe, expect, it } from 'vitest'
import { ACTION_FIELDS, actionBody, emptyForm, testId, validateAction } from './actions'

describe('action forms', () => {
  it('has a form for every action of the gateway', () => {
    for (const a of ['assign', 'claim', 'return', 'return/decision', 'not-accept', 'input', 'progress',
      'extension', 'extension/decision', 'reply', 'reply/sign', 'review', 'visit', 'instruction',
      'merge', 'unmerge', 'appeal', 'appeal/decision']) {
      expect(ACTION_FIELDS[a], a).toBeDefined()
    }
  })

  it('requires what the API requires', () => {
    expect(validateAction('reply', emptyForm('reply'))).toEqual({ outcome: 'required', opinion: 'required' })
    expect(validateAction('claim', emptyForm('claim'))).toEqual({})
    expect(validateAction('extension', { days: '61', reason: 'x' })).toEqual({ days: 'days' })
    expect(validateAction('extension', { days: '5', reason: 'x' })).toEqual({})
  })

  it('asks for a comment when a reply is rejected', () => {
    expect(validateAction('review', { approve: false, comment: '' })).toEqual({ comment: 'required' })
    expect(validateAction('review', { approve: true, comment: '' })).toEqual({})
  })

  it('builds bodies without empty optional fields', () => {
    expect(actionBody('extension', { days: '5', reason: ' busy ' })).toEqual({ days: 5, reason: 'busy' })
    expect(actionBody('reply/sign', { outcome: '', opinion: '', override_reason: '' })).toEqual({})
    expect(actionBody('assign', { lead_unit: 'a', co_units: ['a', 'b'], leader: '', complexity: '', urgency: '' }))
      .toEqual({ lead_unit: 'a', co_units: ['b'] })
    expect(actionBody('assign', { lead_unit: 'a', co_units: ['b'], co_units_extra: 'c, d', leader: '', complexity: '', urgency: '' }))
      .toEqual({ lead_unit: 'a', co_units: ['b', 'c', 'd'] })
    expect(actionBody('return/decision', { accept: false, comment: 'no', lead_unit: 'x', co_units: [] }))
      .toEqual({ accept: false, comment: 'no' })
  })

  it('names the buttons as the walks expect', () => {
    expect(testId('reply/sign')).toBe('action-reply-sign')
    expect(testId('claim')).toBe('action-claim')
  })
})
