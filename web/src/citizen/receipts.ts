// The receipt and the access code stay in this tab's sessionStorage only, so the receipt page
// survives a reload and the tracking page can open without retyping — never in the URL.
import type { Receipt } from '../api/types'

const PREFIX = 'lx.receipt.'

export function rememberReceipt(r: Receipt): void {
  try {
    sessionStorage.setItem(PREFIX + r.id, JSON.stringify(r))
  } catch {
    // storage full or disabled: the receipt page will say so
  }
}

export function recallReceipt(id: string): Receipt | null {
  try {
    const raw = sessionStorage.getItem(PREFIX + id)
    return raw ? (JSON.parse(raw) as Receipt) : null
  } catch {
    return null
  }
}
