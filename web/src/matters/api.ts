// Supervised matters and the public board of projects as the API gives them
// (lianxin/matter_schemas.py), and the form checks the browser can make before sending — the
// API checks them again and its 422 is shown at the field.
export interface Milestone { id?: string; title: string; due_at: string; done_at?: string | null; on_time?: boolean | null }
export interface Report {
  n: number; at: string; by: string; unit: string; text: string; percent: number
  reason?: string | null; evidence: string[]; milestones_done: string[]
}
export interface Matter {
  id: string; kind: string; title: string; description?: string; status: string
  lead_unit?: string | null; co_units: string[]; leader?: string | null; claimable: boolean
  public: boolean; starts_at: string; ends_at: string; milestones: Milestone[]; percent: number
  progress: Report[]; last_report_at?: string | null; report_every_days: number
  done?: { at: string; by: string; text: string; evidence: string[] } | null
  confirmed?: { at: string; by: string; comment?: string | null } | null
  sent_back: { at: string; by: string; reason: string }[]
  warning?: 'yellow' | 'red' | null; allowed_actions: string[]
  source?: { leader?: string | null; case_id?: string | null; year?: number | null; case_ids?: string[] }
}
export interface MatterItem {
  id: string; kind: string; title: string; status: string; lead_unit?: string | null
  co_units: string[]; leader?: string | null; claimable: boolean; percent: number; ends_at: string
  next_milestone?: Milestone | null; warning?: 'yellow' | 'red' | null; year?: number | null
}
export interface CaseBrief { id: string; title: string; status: string; received_at: string }
export interface Project {
  id: string; title: string; description?: string; year?: number | null; beneficiaries?: string | null
  status: string; lead_unit?: string | null; co_units: (string | null)[]; leader?: string | null
  percent: number; starts_at: string; ends_at: string; milestones: Milestone[]
  latest_report?: { at: string; text: string; percent: number } | null; confirmed_at?: string | null
  seen_done: number; not_seen_done: number
  cases_before?: { count: number; published: CaseBrief[] }
  cases_after?: { count: number; published: CaseBrief[] }
}

export const STATUSES = ['draft', 'published', 'in_progress', 'at_risk', 'done', 'confirmed'] as const

export interface ProgressForm { text: string; percent: number | string; reason: string; evidence: string; milestones_done: string[] }

/** File ids typed one per line or separated by commas (opaque strings until file storage). */
export function fileIds(text: string): string[] {
  return text.split(/[\n,，]/).map((s) => s.trim()).filter(Boolean)
}

/** The progress form's problems by field (message keys under matters.errors), before sending. */
export function progressProblems(form: ProgressForm, current: number): Record<string, string> {
  const out: Record<string, string> = {}
  const p = Number(form.percent)
  if (!form.text.trim()) out.text = 'required'
  if (form.percent === '' || !Number.isInteger(p) || p < 0 || p > 100) out.percent = 'percent'
  else if (p < current && !form.reason.trim()) out.reason = 'percentBack'
  return out
}

/** The done report's problems: a text and at least one evidence file. */
export function doneProblems(text: string, evidence: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!text.trim()) out.text = 'required'
  if (!fileIds(evidence).length) out.evidence = 'evidence'
  return out
}
