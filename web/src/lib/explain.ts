// An API failure in words the user can act on: 401/403/404/409/422/429/503 each explained,
// with the server's own message added where it says what rule stopped the action.
import { ApiError } from '../api/client'

type T = (key: string, values?: Record<string, unknown>) => string

export function explain(err: unknown, t: T): string {
  if (!(err instanceof ApiError)) return t('errors.other') + String(err)
  if (err.code === 'password_change_required') return t('errors.password_change_required')
  switch (err.status) {
    case 0: return t('errors.0')
    case 400: return t('errors.400') + err.message
    case 401: return t('errors.401')
    case 403: return t('errors.403') + (err.message ? ` (${err.message})` : '')
    case 404: return t('errors.404')
    case 409: return t('errors.409') + err.message + detailText(err.details)
    case 422: return t('errors.422')
    case 429: return t('errors.429', { s: err.retryAfter ?? 60 })
    case 503: case 504: return t('errors.503')
    default:
      return err.status >= 500 ? t('errors.500') : t('errors.other') + err.message
  }
}

function detailText(details: Record<string, unknown>): string {
  const parts = Object.entries(details ?? {})
    .filter(([k]) => !['action', 'id'].includes(k))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
  return parts.length ? ` (${parts.join('; ')})` : ''
}
