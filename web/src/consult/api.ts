// The shapes of asking the public as the gateway answers them (gateway/consult_api.py), and the
// small pure helpers the screens share (tested in consult.test.ts).
export interface Section { id: string; label: string | null; heading: string; text: string }
export interface PublicComment {
  id: string; section: string | null; kind: string; text: string
  author: { name: string | null; phone: string | null } | null
  received_at: string; decision: { decision: string; reason: string | null } | null
}
export interface Consultation {
  id: string; kind: 'consultation' | 'notice'; title: string; text: string; sections: Section[]
  unit: string; opens_at: string; closes_at: string; status: string; phase: string
  allow_anonymous: boolean; moderation: string; object_to: string | null
  summary_status: string | null; comments?: PublicComment[]
}
export interface StaffComment {
  id: string; kind: string; section: string | null; text: string
  contact: { name?: string; phone?: string; email?: string } | null; anonymous: boolean
  status: 'shown' | 'held' | 'hidden'; reports: number; report_reasons: string[]
  moderation: { status: string; reason: string | null; by: string; at: string } | null
  decision: { decision: string; reason: string | null; by: string; at: string } | null
  case_id: string | null; received_at: string
}
export interface SummaryRow {
  section: string | null; heading: string; label: string | null; total: number
  adopted: number; partly_adopted: number; not_adopted: number; noted: number; undecided: number
}
export interface Summary {
  consultation_id: string; title: string; status: string; text: string
  totals: Omit<SummaryRow, 'section' | 'heading' | 'label'>; by_section: SummaryRow[]
  quoted: { comment_id: string; heading: string; decision: string; text: string; reason: string | null }[]
}
export type QuestionKind = 'single' | 'multiple' | 'scale' | 'short_text' | 'long_text' | 'matrix'
export interface Question {
  id: string; kind: QuestionKind; text: string; required?: boolean
  options?: string[]; rows?: string[]; scale?: '1-5' | '0-10'
}
export interface Survey {
  id: string; title: string; intro: string; purpose: string; questions: Question[]
  opens_at: string; closes_at: string; identity: string; once_per: string | null
  status: string; phase: string; results_published: boolean
}
export interface OptionCount { label: string; count: number; share: number | null }
export interface QuestionResult {
  id: string; kind: QuestionKind; text: string; answered: number
  options?: OptionCount[]; counts?: Record<string, number>; average?: number | null
  texts?: string[]; rows?: { label: string; answered: number; options: OptionCount[] }[]
}
export interface Results {
  survey: Survey; responses: number; questions: QuestionResult[]
  return_visits?: { cases: number; counts: Record<string, number>; satisfaction_rate: { value: number | null } }
}

export const DECISIONS = ['adopted', 'partly_adopted', 'not_adopted', 'noted'] as const

/** The scale's values, low to high. */
export function scaleValues(scale: Question['scale']): number[] {
  const [low, high] = scale === '0-10' ? [0, 10] : [1, 5]
  return Array.from({ length: high - low + 1 }, (_, i) => low + i)
}

/** A survey's answers as the API takes them: empty ones left out, a matrix as one entry per row. */
export function answerBody(questions: Question[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const q of questions) {
    const v = values[q.id]
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v) && (q.kind === 'multiple' ? v.length === 0 : v.every((x) => x === null || x === undefined))) continue
    out[q.id] = q.kind === 'matrix' ? (v as unknown[]).map((x) => (x === undefined ? null : x)) : v
  }
  return out
}

/** The questions a respondent must still answer before sending. */
export function missingRequired(questions: Question[], body: Record<string, unknown>): string[] {
  return questions.filter((q) => {
    if (!q.required) return false
    const v = body[q.id]
    if (v === undefined) return true
    return q.kind === 'matrix' && Array.isArray(v) && v.some((x) => x === null)
  }).map((q) => q.id)
}

/** Lines of the builder's text box → options (blank lines dropped). */
export function lines(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter(Boolean)
}

/** A share as a percentage for people. */
export function pct(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)}%`
}

/** How a comment names its section: the article's label with its heading ("第二条 本办法…"),
 *  a heading alone, or null for the whole draft (the caller says that in its language). */
export function sectionName(sections: Section[], sid: string | null): string | null {
  const s = sections.find((x) => x.id === sid)
  return s ? [s.label, s.heading].filter(Boolean).join(' ') : null
}

/** Whether a section's text starts with its article's label (an article's first line is its
 *  text: the label is then shown apart, as its title, and the text once). */
function labelLeads(s: Section): s is Section & { label: string } {
  return !!s.label && s.text.startsWith(s.label)
}

/** A section's title on the draft: the article's label when its text starts with it, else the
 *  label and heading. */
export function sectionTitle(s: Section): string {
  return labelLeads(s) ? s.label : [s.label, s.heading].filter(Boolean).join(' ')
}

/** A section's text without the article's label it starts with (shown apart, as its title). */
export function sectionBody(s: Section): string {
  return labelLeads(s) ? s.text.slice(s.label.length).trimStart() : s.text
}
