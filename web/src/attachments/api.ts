// Attachments over the gateway's API (docs/contract.md §17): one file per upload (multipart
// `file`), files fetched as blobs (staff send their token in a header, which an <img src>
// cannot), shown through object URLs (the CSP allows blob: images).
import { ApiError, getToken, withQuery, type ErrorBody } from '../api/client'

export interface Attachment {
  id: string
  name: string
  content_type: string
  size: number
  origin: 'citizen' | 'staff'
  thumbnail: boolean
  at: string
  with_answer?: boolean
  by?: string
  role?: string
}

export interface AttachmentList {
  items: Attachment[]
  may_attach: boolean
  may_publish: boolean
  max_per_case: number
}

/** Who asks: staff (the token) or a citizen with the access code. */
export interface Asker { code?: string }

// What the gateway takes (LX_ATTACHMENT_MAX_BYTES default); the server has the last word.
export const MAX_BYTES = 10 * 1024 * 1024
export const ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf'

function headers(asker: Asker): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' }
  const token = asker.code ? null : getToken()
  if (token) h.Authorization = `Bearer ${token}`
  return h
}

function base(caseId: string): string {
  return `/api/v1/cases/${encodeURIComponent(caseId)}/attachments`
}

async function fail(response: Response): Promise<never> {
  let body: ErrorBody = {}
  try {
    body = (await response.json()) as ErrorBody
  } catch {
    body = {}
  }
  const retry = response.headers.get('Retry-After')
  throw new ApiError(response.status, body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? response.statusText, body.error?.details ?? {}, retry ? Number(retry) : null)
}

async function call(url: string, init: RequestInit): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, init)
  } catch {
    throw new ApiError(0, 'network', 'the network is unreachable')
  }
  if (!response.ok) await fail(response)
  return response
}

export async function listAttachments(caseId: string, asker: Asker = {}): Promise<AttachmentList> {
  const r = await call(withQuery(base(caseId), { code: asker.code }), { headers: headers(asker) })
  return (await r.json()) as AttachmentList
}

export async function uploadAttachment(caseId: string, file: File, asker: Asker = {},
  withAnswer = false): Promise<Attachment> {
  const form = new FormData()
  form.append('file', file, file.name)
  if (withAnswer) form.append('with_answer', 'true')
  const r = await call(withQuery(base(caseId), { code: asker.code }),
    { method: 'POST', headers: headers(asker), body: form })
  return (await r.json()) as Attachment
}

/** An object URL of a file or its thumbnail; the caller revokes it. */
export async function fileUrl(caseId: string, fileId: string, asker: Asker = {},
  thumbnail = false): Promise<string> {
  const path = `${base(caseId)}/${encodeURIComponent(fileId)}${thumbnail ? '/thumbnail' : ''}`
  const r = await call(withQuery(path, { code: asker.code }), { headers: headers(asker) })
  return URL.createObjectURL(await r.blob())
}

/** The reason of a refused file, in the words of `attachments.reason.*`, or null. */
export function refusalReason(err: unknown): string | null {
  if (err instanceof ApiError && err.status === 422) {
    const reason = err.details?.reason
    return typeof reason === 'string' ? reason : 'unsupported_type'
  }
  if (err instanceof ApiError && err.status === 413) return 'too_large'
  return null
}

/** Files the picker can already tell are too many or too large (the type is the server's). */
export function precheck(files: File[], room: number): { ok: File[]; refused: { name: string; reason: string }[] } {
  const ok: File[] = []
  const refused: { name: string; reason: string }[] = []
  for (const f of files) {
    if (f.size === 0) refused.push({ name: f.name, reason: 'empty' })
    else if (f.size > MAX_BYTES) refused.push({ name: f.name, reason: 'too_large' })
    else if (ok.length >= room) refused.push({ name: f.name, reason: 'too_many' })
    else ok.push(f)
  }
  return { ok, refused }
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
