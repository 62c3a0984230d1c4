// New work without reloading: every few seconds ask the event feed for what happened after the
// last cursor (and the inbox for its unread count); screens watch `tick` and reload their
// queue when something arrived. One poller per signed-in tab.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { get } from '../api/client'

export const POLL_MS = 4000
const CATCH_UP_PAGES = 20

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

  async function catchUp() {
    // Start at the end of the feed: page through quickly, reacting to nothing old.
    let after = '0'
    for (let i = 0; i < CATCH_UP_PAGES; i++) {
      const page = await get<Feed>('/events', { after, limit: 500 })
      after = page.next_cursor || after
      if (page.items.length < 500) break
    }
    cursor.value = after
  }

  async function poll() {
    try {
      if (cursor.value === null) await catchUp()
      else {
        const page = await get<Feed>('/events', { after: cursor.value, limit: 500 })
        if (page.items.length) {
          lastEvents.value = page.items.map((e) => `${e.type ?? ''} ${e.case_id ?? ''}`)
          tick.value++
        }
        cursor.value = page.next_cursor || cursor.value
      }
      const inbox = await get<{ unread: number }>('/inbox', { unread: true, limit: 1 })
      unread.value = inbox.unread
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
