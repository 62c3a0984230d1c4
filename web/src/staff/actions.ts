// The form of each case action (the path suffixes of gateway/cases_api.py ACTIONS) — which
// fields its body has and their limits (lianxin/action_schemas.py). WHICH actions a user may
// take is never decided here: the case page shows exactly the API's `allowed_actions`.

export type FieldKind = 'text' | 'textarea' | 'choice' | 'bool' | 'days' | 'unit' | 'units'

export interface FieldSpec {
  name: string
  kind: FieldKind
  required?: boolean
  options?: string[]        // for choice: the values; labels come from i18n `optionPrefix.value`
  optionPrefix?: string
  labels?: [string, string] // for bool: i18n keys of true / false
  max?: number
}

const reason: FieldSpec = { name: 'reason', kind: 'textarea', required: true, max: 5000 }
const comment: FieldSpec = { name: 'comment', kind: 'textarea', max: 5000 }
const OUTCOMES = ['resolved', 'explained', 'unfounded']

export const ACTION_FIELDS: Record<string, FieldSpec[]> = {
  assign: [
    { name: 'lead_unit', kind: 'unit', required: true },
    { name: 'co_units', kind: 'units' },
    { name: 'leader', kind: 'text', max: 64 },
    { name: 'complexity', kind: 'choice', options: ['general', 'major'], optionPrefix: 'complexity' },
    { name: 'urgency', kind: 'choice', options: ['normal', 'urgent'], optionPrefix: 'urgency' },
  ],
  claim: [],
  return: [reason],
  'return/decision': [
    { name: 'accept', kind: 'bool', required: true, labels: ['action.field.acceptYes', 'action.field.acceptNo'] },
    comment,
    { name: 'lead_unit', kind: 'unit' },
    { name: 'co_units', kind: 'units' },
  ],
  'not-accept': [reason],
  input: [{ name: 'opinion', kind: 'textarea', required: true, max: 5000 }],
  progress: [{ name: 'note', kind: 'textarea', required: true, max: 5000 }],
  extension: [{ name: 'days', kind: 'days', required: true }, reason],
  'extension/decision': [
    { name: 'approve', kind: 'bool', required: true, labels: ['action.field.approveYes', 'action.field.approveNo'] },
    comment,
  ],
  reply: [
    { name: 'outcome', kind: 'choice', required: true, options: OUTCOMES, optionPrefix: 'outcome' },
    { name: 'opinion', kind: 'textarea', required: true, max: 5000 },
  ],
  'reply/sign': [
    { name: 'outcome', kind: 'choice', options: OUTCOMES, optionPrefix: 'outcome' },
    { name: 'opinion', kind: 'textarea', max: 5000 },
    { name: 'override_reason', kind: 'textarea', max: 2000 },
  ],
  review: [
    { name: 'approve', kind: 'bool', required: true, labels: ['action.field.approveYes', 'action.field.approveNo'] },
    comment,
  ],
  visit: [
    { name: 'method', kind: 'choice', required: true, options: ['phone', 'visit', 'sms', 'online'], optionPrefix: 'visitMethod' },
    { name: 'satisfaction', kind: 'choice', required: true, options: ['satisfied', 'basically_satisfied', 'dissatisfied'], optionPrefix: 'satisfaction' },
    { name: 'note', kind: 'textarea', max: 5000 },
  ],
  instruction: [{ name: 'text', kind: 'textarea', required: true, max: 5000 }],
  merge: [{ name: 'primary_id', kind: 'text', required: true, max: 64 }],
  unmerge: [],
  appeal: [reason],
  'appeal/decision': [
    { name: 'uphold', kind: 'bool', required: true, labels: ['action.field.upholdYes', 'action.field.upholdNo'] },
    comment,
  ],
}

export type FormValue = string | string[] | boolean | null

export function emptyForm(action: string): Record<string, FormValue> {
  const form: Record<string, FormValue> = {}
  for (const f of ACTION_FIELDS[action] ?? []) {
    form[f.name] = f.kind === 'units' ? [] : f.kind === 'bool' ? null : ''
    if (f.kind === 'units') form[`${f.name}_extra`] = ''
  }
  return form
}

/** Error keys (i18n `validation.*`) by field; the API checks again. */
export function validateAction(action: string, form: Record<string, FormValue>): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const f of ACTION_FIELDS[action] ?? []) {
    const v = form[f.name]
    if (f.required && (v === null || v === '' || (typeof v === 'string' && !v.trim()))) {
      errors[f.name] = 'required'
    } else if (f.kind === 'days' && v !== '') {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 1 || n > 60) errors[f.name] = 'days'
    } else if (f.max && typeof v === 'string' && v.length > f.max) {
      errors[f.name] = 'tooLong'
    }
  }
  // A rejection or refusal must say why.
  if ((action === 'review') && form.approve === false && !String(form.comment ?? '').trim()) {
    errors.comment = 'required'
  }
  return errors
}

/** The JSON body: empty optional fields left out, days as a number. */
export function actionBody(action: string, form: Record<string, FormValue>): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of ACTION_FIELDS[action] ?? []) {
    const v = form[f.name]
    if (v === null || v === '' || (Array.isArray(v) && !v.length && f.kind !== 'units')) continue
    if (typeof v === 'string' && !v.trim()) continue
    body[f.name] = f.kind === 'days' ? Number(v) : typeof v === 'string' ? v.trim() : v
    if (f.kind === 'units') {
      // Codes typed by hand (units not in the list) join the ticked ones.
      const extra = String(form[`${f.name}_extra`] ?? '').split(/[,，\s]+/).filter(Boolean)
      body[f.name] = [...new Set([...(v as string[]), ...extra])]
    }
  }
  if (action === 'return/decision' && body.accept === false) {
    delete body.lead_unit
    delete body.co_units
  }
  if (action === 'assign' && Array.isArray(body.co_units)) {
    body.co_units = (body.co_units as string[]).filter((u) => u !== body.lead_unit)
  }
  return body
}

export const testId = (action: string) => `action-${action.replace(/\//g, '-')}`
