// The one way the app talks to the gateway: JSON over fetch, the contract's error shape turned into
// an ApiError, the staff token attached, and a 401 handed to whoever registered for it (the
// router sends the user to sign-in and back).
export interface ErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> }
}

export class ApiError extends Error {
  status: number
  code: string
  details: Record<string, unknown>
  retryAfter: number | null

  constructor(status: number, code: string, message: string,
    details: Record<string, unknown> = {}, retryAfter: number | null = null) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
    this.retryAfter = retryAfter
  }
}

export const TOKEN_KEY = 'lx.token'

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token)
  else sessionStorage.removeItem(TOKEN_KEY)
}

type Listener = (err: ApiError) => void
let onAuthProblem: Listener | null = null

/** Called on a 401 (token expired or revoked) or a 403 password_change_required. */
export function setAuthProblemHandler(fn: Listener): void {
  onAuthProblem = fn
}

export interface RequestOptions {
  method?: string
  body?: unknown
  query?: Record<string, string | number | boolean | undefined | null>
  headers?: Record<string, string>
  /** false for the citizen's calls: no token, and a 401 is not a sign-in matter */
  staff?: boolean
}

export function withQuery(path: string, query?: RequestOptions['query']): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const staff = options.staff ?? true
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  const token = staff ? getToken() : null
  if (token) headers.Authorization = `Bearer ${token}`
  let response: Response
  try {
    response = await fetch(withQuery(`/api/v1${path}`, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    })
  } catch {
    throw new ApiError(0, 'network', 'the network is unreachable')
  }
  if (response.status === 204) return undefined as T
  let data: unknown = null
  try {
    data = await response.json()
  } catch {
    data = null
  }
  if (!response.ok) {
    const body = (data ?? {}) as ErrorBody
    const retry = response.headers.get('Retry-After')
    const err = new ApiError(response.status, body.error?.code ?? `http_${response.status}`,
      body.error?.message ?? response.statusText, body.error?.details ?? {},
      retry ? Number(retry) : null)
    if (staff && token && onAuthProblem
        && (err.status === 401 || err.code === 'password_change_required')) {
      onAuthProblem(err)
    }
    throw err
  }
  return data as T
}

export const get = <T>(path: string, query?: RequestOptions['query'], staff = true) =>
  request<T>(path, { query, staff })
export const post = <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
  request<T>(path, { ...options, method: 'POST', body })
