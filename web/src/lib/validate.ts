// Checks a citizen's submission before it is sent, with the same limits as
// lianxin/schemas.py (the API checks again; its 422 details are shown the same way), and turns
// a 422's nested `details.fields` into `field.path → message` for the form.

import { KINDS } from './vocab'

const PHONE = /^\+?[0-9][0-9\- ]{4,19}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export interface SubmissionForm {
  kind: string
  topic: string
  title: string
  content: string
  town: string
  address: string
  name: string
  phone: string
  email: string
  anonymous: boolean
  public_consent: boolean
}

/** Error keys (i18n `validation.*`) by field path; empty when the form may be sent. */
export function validateSubmission(f: SubmissionForm): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!(KINDS as readonly string[]).includes(f.kind)) errors.kind = 'required'
  if (!f.title.trim()) errors.title = 'required'
  else if (f.title.length > 200) errors.title = 'tooLong200'
  if (!f.content.trim()) errors.content = 'required'
  else if (f.content.length > 20000) errors.content = 'tooLong20000'
  if (f.town.length > 100) errors['location.town'] = 'tooLong100'
  if (f.address.length > 500) errors['location.address'] = 'tooLong500'
  if (f.name.length > 100) errors['citizen.name'] = 'tooLong100'
  if (f.phone.trim() && !PHONE.test(f.phone.trim())) errors['citizen.phone'] = 'phone'
  if (f.email.trim() && !EMAIL.test(f.email.trim())) errors['citizen.email'] = 'email'
  if (!f.anonymous && !f.phone.trim() && !f.email.trim() && !errors['citizen.phone']) {
    errors['citizen.phone'] = 'contact'
  }
  return errors
}

/** The body of `POST /api/v1/cases` for the form. */
export function submissionBody(f: SubmissionForm, language: string): Record<string, unknown> {
  const location: Record<string, string> = {}
  if (f.town.trim()) location.town = f.town.trim()
  if (f.address.trim()) location.address = f.address.trim()
  const citizen: Record<string, unknown> = { anonymous: f.anonymous }
  if (f.name.trim()) citizen.name = f.name.trim()
  if (f.phone.trim()) citizen.phone = f.phone.trim()
  if (f.email.trim()) citizen.email = f.email.trim()
  return {
    kind: f.kind, topic: f.topic || 'other', title: f.title.trim(), content: f.content.trim(),
    location, citizen, public_consent: f.public_consent,
    language: language === 'en' ? 'en' : 'zh-CN',
  }
}

/** `{citizen: {phone: ["not a phone number"]}}` → `{"citizen.phone": "not a phone number"}`. */
export function flattenFieldErrors(details: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  if (!details || typeof details !== 'object') return out
  const source = (!prefix && 'fields' in (details as object))
    ? (details as { fields: unknown }).fields : details
  if (Array.isArray(source)) {
    if (prefix) out[prefix] = source.map(String).join('; ')
    return out
  }
  if (!source || typeof source !== 'object') return out
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (Array.isArray(value)) out[path] = value.map(String).join('; ')
    else if (typeof value === 'string') out[path] = value
    else Object.assign(out, flattenFieldErrors(value, path))
  }
  return out
}

/** One key for one form: generated once, kept across retries, dropped after success. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const bytes = new Uint8Array(16)
  c.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
