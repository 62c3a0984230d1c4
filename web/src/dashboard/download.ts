// Reports that need the staff token (PDF, CSV) are fetched, then handed to the browser as a file.
import { ApiError, getToken, withQuery } from '../api/client'

export async function download(path: string, query: Record<string, string>, filename: string): Promise<void> {
  const token = getToken()
  const r = await fetch(withQuery(`/api/v1${path}`, query), {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  })
  if (!r.ok) throw new ApiError(r.status, 'download_failed', `${r.status}`)
  const url = URL.createObjectURL(await r.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
