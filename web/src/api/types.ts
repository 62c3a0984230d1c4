// Shapes of the gateway's answers that the screens read (see gateway/*.py and lianxin/cases.py).
export interface Receipt {
  id: string
  access_code: string
  status: string
  due_at?: string | null
}

export interface TimelineEntry {
  at: string
  action: string
  note?: string | null
  actor?: string
  role?: string
  public?: boolean
  public_note?: string | null
}

export interface PublicCase {
  id: string
  status: string
  kind: string
  topic: string
  title: string
  received_at: string
  due_at: string | null
  overdue: boolean
  answer: { outcome: string; opinion: string; delivered_at: string } | null
  timeline: TimelineEntry[]
}

export interface CaseSummary {
  id: string
  status: string
  kind: string
  topic: string
  channel: string
  title: string
  town?: string | null
  received_at: string
  lead_unit?: string | null
  co_units: string[]
  due_at: string | null
  overdue: boolean
  warning: string
  flags: string[]
  working_days_left?: number | null
}

/** A case an alert groups (lianxin/response_schemas.py AlertCaseSchema): an object, not an id. */
export interface AlertCase {
  id: string
  title: string
  status?: string
  received_at?: string
}

/** An early-warning alert (AlertSchema; GET /alerts answers `{items: Alert[]}`). */
export interface Alert {
  id: string
  kind?: string
  topic?: string
  town?: string | null
  count?: number
  status?: string
  raised_at?: string
  cases?: AlertCase[]
}

export interface CaseList {
  items: CaseSummary[]
  next_cursor: string | null
}

export interface StaffCase {
  id: string
  status: string
  kind: string
  topic: string
  channel: string
  title: string
  content: string
  urgency?: string
  complexity?: string
  people_involved?: number
  flags?: string[]
  location?: { town?: string; village?: string; address?: string }
  citizen?: { name?: string; phone?: string; email?: string; anonymous?: boolean; withheld?: boolean }
  received_at: string
  assignment?: Record<string, unknown> | null
  reply?: Record<string, unknown> | null
  co_inputs?: Array<Record<string, unknown>>
  inputs?: Array<Record<string, unknown>>
  duplicates?: Array<Record<string, unknown>>
  timeline?: TimelineEntry[]
  overdue: boolean
  warning: string
  allowed_actions?: string[]
  version?: number
  [key: string]: unknown
}

export interface InboxMessage {
  id: string
  title: string
  body: string
  case_id?: string | null
  created_at: string
  read: boolean
}

export interface Topic {
  code: string
  name: string
}
