// New work without reloading: every few seconds ask the event feed for what happened after the
// last cursor (and the inbox for its unread count); screens watch `tick` and reload their
// queue when something arrived. One poller per signed-in tab.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { get } from '../api/client'
import { findEnd as feedEnd } from '../lib/feed'

export const POLL_MS = 4000
const INBOX_EVERY = 8 // polls between inbox refreshes when nothing happened

interface Feed {
  items: Array<{ type?: string; case_id?: string }>
  next_cursor: string
}

export const useLive = defineStore('live', () => {
  const cursor = ref<string | null>(null)
  const tick = ref(0)
  const unread = ref(0)
  const lastEvents = ref<string[]>([])
  let timer: ReturnType<typeof setTimeout> | null = null
  let running = false

  /** Whether the feed has anything after `n` (the cursor moves on past `n`). */
  async function beyond(n: number): Promise<boolean> {
    const page = await get<Feed>('/events', { after: String(n), limit: 1 })
    return Number(page.next_cursor) > n
  }

  let polls = 0
  async function poll() {
    try {
      let arrived = false
      if (cursor.value === null) cursor.value = String(await feedEnd(beyond))
      else {
        const page = await get<Feed>('/events', { after: cursor.value, limit: 500 })
        if (page.items.length) {
          lastEvents.value = page.items.map((e) => `${e.type ?? ''} ${e.case_id ?? ''}`)
          arrived = true
          tick.value++
        }
        cursor.value = page.next_cursor || cursor.value
      }
      if (arrived || polls++ % INBOX_EVERY === 0) {
        const inbox = await get<{ unread: number }>('/inbox', { unread: true, limit: 1 })
        unread.value = inbox.unread
      }
    } catch {
      // offline for a moment, or signed out: try again at the next tick
    }
  }

  async function loop() {
    if (!running) return
    await poll()
    if (running) timer = setTimeout(loop, document.hidden ? POLL_MS * 3 : POLL_MS)
  }

  function start() {
    if (running) return
    running = true
    void loop()
  }

  function stop() {
    running = false
    if (timer) clearTimeout(timer)
    timer = null
    cursor.value = null
  }

  return { cursor, tick, unread, lastEvents, start, stop, poll }
})
