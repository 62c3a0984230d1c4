// One reload at a time: a call while one runs asks for exactly one more run after it, however
// many calls came meanwhile. Live updates can arrive faster than a slow list answers; without
// this, reloads would pile up on the gateway.
export function singleFlight(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null
  let again = false
  const run = async (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await fn()
        } while (again)
      } finally {
        running = null
      }
    })()
    return running
  }
  return run
}
