import { describe, expect, it } from 'vitest'
import { flattenFieldErrors, newIdempotencyKey, submissionBody, validateSubmission,
  type SubmissionForm } from './validate'

const form = (over: Partial<SubmissionForm> = {}): SubmissionForm => ({
  kind: 'complaint', topic: 'environment', title: '河道污染', content: '工厂夜间排污',
  town: '清水镇', address: '', name: '张三', phone: '13800000000', email: '',
  anonymous: false, public_consent: true, ...over })

describe('submission validation', () => {
  it('accepts a complete form', () => {
    expect(validateSubmission(form())).toEqual({})
  })

  it('asks for a contact unless anonymous', () => {
    expect(validateSubmission(form({ phone: '' }))).toEqual({ 'citizen.phone': 'contact' })
    expect(validateSubmission(form({ phone: '', anonymous: true }))).toEqual({})
  })

  it('rejects blank titles, bad phones and emails, missing kind', () => {
    const errors = validateSubmission(form({ title: '   ', phone: 'abc', email: 'x@', kind: '' }))
    expect(errors).toEqual({ title: 'required', 'citizen.phone': 'phone',
      'citizen.email': 'email', kind: 'required' })
  })

  it('builds the API body without empty fields', () => {
    const body = submissionBody(form({ town: '', email: '' }), 'en')
    expect(body.location).toEqual({})
    expect(body.citizen).toEqual({ anonymous: false, name: '张三', phone: '13800000000' })
    expect(body.language).toBe('en')
  })
})

describe('422 details', () => {
  it('flattens nested field errors to paths', () => {
    expect(flattenFieldErrors({ fields: { citizen: { phone: ['give a phone'] },
      title: ['required', 'too long'] } }))
      .toEqual({ 'citizen.phone': 'give a phone', title: 'required; too long' })
  })
})

describe('idempotency key', () => {
  it('is new for each form', () => {
    const a = newIdempotencyKey()
    expect(a.length).toBeGreaterThanOrEqual(32)
    expect(newIdempotencyKey()).not.toBe(a)
  })
})
