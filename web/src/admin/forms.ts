// The admin collections as forms (docs/contract.md §10): for each collection, its documented
// body fields with the control each gets and its options, and the conversion between an item
// as the API answers it and the form's model. One component (ItemForm.vue) renders any of them.
// Fields the description does not name — a county's own additions — ride along untouched in
// `rest` and are sent back on save (decision 0030).

import { CHANNELS, KINDS } from '../lib/vocab'

export const COLLECTIONS = ['units', 'users', 'leaders', 'topics', 'routing-rules', 'deadline-policies',
  'templates', 'webhooks', 'api-keys'] as const
export type CollectionName = typeof COLLECTIONS[number]

// Mirrors of the server's vocabularies (lianxin/admin_schemas.py, lianxin/schemas.py, lianxin/auth.py).
export const UNIT_KINDS = ['party_office', 'gov_office', 'mass_work_office', 'department', 'township', 'village', 'enterprise'] as const
export const ROLES = ['clerk', 'dispatcher', 'handler', 'unit_leader', 'supervisor', 'leader', 'admin'] as const
export const LANGUAGES = ['zh-CN', 'en'] as const
export const DURATION_UNITS = ['days', 'hours', 'working_days'] as const
export type DurationUnit = typeof DURATION_UNITS[number]
// A rule's targets resolved from the county (docs/contract.md §4, decision 0006).
export const UNIT_TARGETS = ['@town', '@topic_unit', '@receiving_unit'] as const
export const LEADER_TARGETS = ['@portfolio'] as const

// The matcher's fields (lianxin/matching.py) and what each value is: a choice among known
// values, free words, or a yes/no. Routing knows `keywords`; deadline policies do not.
export type MatchKind = 'choice' | 'words' | 'flag'
export const MATCH_FIELDS: Record<string, { kind: MatchKind; options?: readonly string[] }> = {
  kind: { kind: 'choice', options: KINDS },
  topic: { kind: 'choice' }, // options: the topics collection
  channel: { kind: 'choice', options: CHANNELS },
  town: { kind: 'words' },
  keywords: { kind: 'words' },
  collective: { kind: 'flag' },
  complexity: { kind: 'choice', options: ['general', 'major'] },
  urgency: { kind: 'choice', options: ['normal', 'urgent'] },
}
export const ROUTING_MATCH = ['kind', 'topic', 'channel', 'town', 'keywords', 'collective', 'complexity', 'urgency']
export const DEADLINE_MATCH = ['kind', 'topic', 'channel', 'urgency', 'complexity', 'collective', 'town']

export type Control =
  | 'key' // the item's id (or username): typed on create, fixed afterwards
  | 'text' | 'email' | 'url' | 'code' // code: a monospace multi-line text (template parts)
  | 'select' // one of `options`
  | 'unit' | 'units' // one unit / several units (the units collection; `targets` add @-targets)
  | 'topics' // several topics (the topics collection)
  | 'leader' // one leader (the leaders collection; `targets` add @-targets)
  | 'tags' // a list of free words
  | 'switch' | 'number'
  | 'password' // write-only (a user's password, a webhook's secret): empty on edit, empty keeps the stored value
  | 'duration' // {days | hours | working_days}: a number and its unit
  | 'match' // field → value(s) pairs for the matcher

export interface FieldSpec {
  name: string
  control: Control
  required?: boolean
  options?: readonly string[]
  optionLabels?: string // i18n prefix of the options' labels
  targets?: readonly string[]
  matchKeys?: readonly string[]
  min?: number
  max?: number
  initial?: FormValue // a new item's value
  hint?: boolean // an `admin.hint.<name>` text under the field
  suggest?: readonly string[] // values offered to a tag input
}

export interface FormSpec { key: 'id' | 'username'; fields: FieldSpec[] }

/** A picker's option: a stored code and what people read. */
export interface Named { code: string; name: string }

/** A picker's options with the stored values they lack added, each named by itself, so that a
 * stored value stays visible (and ticked) when the list does not have it — a unit since
 * removed, a value the county added. An empty value adds nothing. */
export function withStored(options: readonly Named[], stored: readonly string[]): Named[] {
  return [...options, ...stored.filter((c) => c && !options.some((o) => o.code === c)).map((c) => ({ code: c, name: c }))]
}

const id: FieldSpec = { name: 'id', control: 'key', required: true }
const name: FieldSpec = { name: 'name', control: 'text', required: true }
const email: FieldSpec = { name: 'email', control: 'email' }
const order: FieldSpec = { name: 'order', control: 'number', required: true, min: -100000, max: 100000, hint: true }
const enabled: FieldSpec = { name: 'enabled', control: 'switch', initial: true }
const active: FieldSpec = { name: 'active', control: 'switch', initial: true }
export const EVENT_PATTERNS = ['*', 'case.*', 'case.received', 'case.assigned', 'case.replied', 'case.answered',
  'case.closed', 'case.reopened', 'supervision.*', 'reception.*', 'consultation.*', 'comment.*']

export const FORMS: Record<CollectionName, FormSpec> = {
  units: { key: 'id', fields: [id, name,
    { name: 'kind', control: 'select', required: true, options: UNIT_KINDS, optionLabels: 'admin.unitKind', initial: 'department' },
    email,
    { name: 'parent', control: 'unit' },
    { name: 'towns', control: 'tags', hint: true },
    { name: 'topics', control: 'topics' }] },
  users: { key: 'username', fields: [
    { name: 'username', control: 'key', required: true },
    { name: 'name', control: 'text' },
    { name: 'role', control: 'select', required: true, options: ROLES, optionLabels: 'role', initial: 'handler' },
    { name: 'unit', control: 'unit', hint: true },
    { name: 'leader', control: 'leader', hint: true },
    email,
    { name: 'phone', control: 'text' },
    { name: 'language', control: 'select', options: LANGUAGES, optionLabels: 'admin.language', initial: 'zh-CN' },
    { name: 'password', control: 'password', hint: true },
    active] },
  leaders: { key: 'id', fields: [id, name, email, { name: 'portfolio', control: 'topics', hint: true }] },
  topics: { key: 'id', fields: [id, name] },
  'routing-rules': { key: 'id', fields: [id, name, { ...order, initial: 100 },
    { name: 'match', control: 'match', matchKeys: ROUTING_MATCH, hint: true },
    { name: 'lead_unit', control: 'unit', targets: UNIT_TARGETS, hint: true },
    { name: 'co_units', control: 'units' },
    { name: 'leader', control: 'leader', targets: LEADER_TARGETS },
    { name: 'complexity', control: 'select', options: ['general', 'major'], optionLabels: 'complexity' },
    { name: 'urgency', control: 'select', options: ['normal', 'urgent'], optionLabels: 'urgency' },
    enabled] },
  'deadline-policies': { key: 'id', fields: [id, name, { ...order, initial: 100 },
    { name: 'match', control: 'match', matchKeys: DEADLINE_MATCH, hint: true },
    { name: 'duration', control: 'duration', required: true, initial: { amount: 15, unit: 'working_days' } },
    enabled] },
  templates: { key: 'id', fields: [{ ...id, hint: true },
    { name: 'subject', control: 'text', required: true },
    { name: 'body', control: 'code', required: true },
    { name: 'html', control: 'code' },
    { name: 'sms', control: 'code' }] },
  webhooks: { key: 'id', fields: [id,
    { name: 'url', control: 'url', required: true, initial: 'https://' },
    { name: 'event_types', control: 'tags', suggest: EVENT_PATTERNS, initial: ['case.*'], hint: true },
    { name: 'units', control: 'units', hint: true },
    { name: 'secret', control: 'password', hint: true },
    active] },
  'api-keys': { key: 'id', fields: [id, name, { name: 'per_minute', control: 'number', min: 1, max: 100000, initial: 60 }, active] },
}

export interface Duration { amount: number | null; unit: DurationUnit }
/** One condition of a `match`: a field and its value(s); `any` = "*" (present); `flag` for a
 * yes/no field; `raw` holds a value the editor cannot show (kept as it is). */
export interface MatchRow { key: string; values: string[]; any: boolean; flag: boolean | null; raw?: unknown }
export type FormValue = string | number | boolean | null | string[] | Duration | MatchRow[]
export interface FormModel { values: Record<string, FormValue>; rest: Record<string, unknown> }

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')

export function matchRows(match: unknown): MatchRow[] {
  if (!match || typeof match !== 'object' || Array.isArray(match)) return []
  return Object.entries(match as Record<string, unknown>).map(([key, v]) => {
    const row: MatchRow = { key, values: [], any: false, flag: null }
    const kind = MATCH_FIELDS[key]?.kind
    if (kind === 'flag' && typeof v === 'boolean') row.flag = v
    else if (kind && kind !== 'flag' && v === '*') row.any = true
    else if (kind && kind !== 'flag' && typeof v === 'string') row.values = [v]
    else if (kind && kind !== 'flag' && isStrings(v)) row.values = [...v]
    else row.raw = v
    return row
  })
}

/** The rows as the matcher's `match`: one value → the value, several → a list, "any" → "*";
 * a row with no field or no value is no condition and is left out. */
export function matchBody(rows: MatchRow[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const r of rows) {
    if (!r.key) continue
    if (r.raw !== undefined) out[r.key] = r.raw
    else if (MATCH_FIELDS[r.key]?.kind === 'flag') { if (r.flag !== null) out[r.key] = r.flag }
    else if (r.any) out[r.key] = '*'
    else {
      const values = r.values.map((s) => s.trim()).filter(Boolean)
      if (values.length) out[r.key] = values.length === 1 ? values[0] : values
    }
  }
  return out
}

function durationOf(v: unknown): Duration {
  const d = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>
  const unit = DURATION_UNITS.find((u) => typeof d[u] === 'number') ?? 'working_days'
  return { amount: typeof d[unit] === 'number' ? (d[unit] as number) : null, unit }
}

function initialOf(f: FieldSpec): FormValue {
  if (f.initial !== undefined) return JSON.parse(JSON.stringify(f.initial)) as FormValue
  switch (f.control) {
    case 'units': case 'topics': case 'tags': case 'match': return []
    case 'switch': return true
    case 'number': return null
    case 'duration': return { amount: null, unit: 'working_days' }
    default: return ''
  }
}

/** A new item's model. */
export function emptyModel(collection: CollectionName): FormModel {
  return { values: Object.fromEntries(FORMS[collection].fields.map((f) => [f.name, initialOf(f)])), rest: {} }
}

/** Fields the server keeps on an item by itself, shown by the API but never edited nor sent
 * back: an account's token state and when it was made (services/accounts/accounts.py
 * carry_token_state). A stale copy sent back could undo a revocation. */
export const SERVER_MANAGED: Partial<Record<CollectionName, readonly string[]>> = {
  users: ['revoked', 'token_version', 'must_change_password', 'created_at'],
}

/** An item as the API answered it, less what a write never carries back: the read-only
 * markers (`<field>_set`: whether a write-only field is stored) and the fields the server
 * manages itself. */
export function writable<T extends Record<string, unknown>>(collection: CollectionName, item: T): T {
  const managed = SERVER_MANAGED[collection] ?? []
  return Object.fromEntries(Object.entries(item).filter(([k]) => !k.endsWith('_set') && !managed.includes(k))) as T
}

/** An item as the API answered it → the form's model. Read-only markers (`<field>_set`) and
 * server-managed fields are dropped; every other field the form does not describe is kept in
 * `rest` (the "advanced" JSON fold). */
export function toModel(collection: CollectionName, item: Record<string, unknown>): FormModel {
  const spec = FORMS[collection]
  const named = new Set(spec.fields.map((f) => f.name))
  const values: Record<string, FormValue> = {}
  for (const f of spec.fields) {
    const v = item[f.name]
    switch (f.control) {
      case 'units': case 'topics': case 'tags': values[f.name] = isStrings(v) ? [...v] : []; break
      case 'switch': values[f.name] = typeof v === 'boolean' ? v : f.initial === undefined ? true : Boolean(f.initial); break
      case 'number': values[f.name] = typeof v === 'number' ? v : null; break
      case 'password': values[f.name] = ''; break
      case 'duration': values[f.name] = durationOf(v); break
      case 'match': values[f.name] = matchRows(v); break
      default: values[f.name] = v === null || v === undefined ? '' : String(v)
    }
  }
  const rest = Object.fromEntries(Object.entries(writable(collection, item)).filter(([k]) => !named.has(k) && k !== '_id'))
  return { values, rest }
}

/** The form's model → the body of a POST or PUT: the county's own fields first, then the
 * described ones. Empty optional texts, numbers and pickers are left out (the API's default
 * applies, and `null` would fail e.g. an e-mail check); lists are sent even when empty (an
 * emptied list must replace the stored one); an empty password or secret is left out, which
 * keeps the stored one on an update. */
export function toBody(collection: CollectionName, model: FormModel): Record<string, unknown> {
  const body: Record<string, unknown> = { ...model.rest }
  for (const f of FORMS[collection].fields) {
    const v = model.values[f.name]
    switch (f.control) {
      case 'units': case 'topics': case 'tags':
        body[f.name] = (v as string[]).map((s) => s.trim()).filter(Boolean)
        break
      case 'switch': body[f.name] = Boolean(v); break
      case 'number':
        if (typeof v === 'number' && Number.isFinite(v)) body[f.name] = v
        else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) body[f.name] = Number(v)
        break
      case 'duration': {
        const d = v as Duration
        if (d.amount !== null && String(d.amount) !== '') body[f.name] = { [d.unit]: Number(d.amount) }
        break
      }
      case 'match': body[f.name] = matchBody(v as MatchRow[]); break
      case 'code': if (typeof v === 'string' && v !== '') body[f.name] = v; break
      default:
        if (typeof v === 'string' && v.trim() !== '') body[f.name] = f.control === 'password' ? v : v.trim()
    }
  }
  return body
}

/** The county's own fields as editable JSON ('' when there are none). */
export function restText(rest: Record<string, unknown>): string {
  return Object.keys(rest).length ? JSON.stringify(rest, null, 2) : ''
}

/** Edited JSON of the county's own fields → the object, or null if it is not a JSON object. */
export function parseRest(text: string): Record<string, unknown> | null {
  if (!text.trim()) return {}
  try {
    const v = JSON.parse(text)
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null
  } catch {
    return null
  }
}

/** 422 details → one message per form field: nested paths (`duration.days`, `match`) land on
 * their top-level field; what names no field of the form goes under `_form`. */
export function errorsByField(collection: CollectionName, fields: Record<string, string>): Record<string, string> {
  const named = new Set(FORMS[collection].fields.map((f) => f.name))
  const out: Record<string, string> = {}
  for (const [path, message] of Object.entries(fields)) {
    const top = path.split('.')[0]
    const key = named.has(top) ? top : '_form'
    const text = key === '_form' && top !== '_schema' ? `${path}: ${message}` : message
    out[key] = out[key] ? `${out[key]}; ${text}` : text
  }
  return out
}
