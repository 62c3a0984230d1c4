// Who is signed in: the token (sessionStorage `lx.token`, so it dies with the tab) and the
// claims read from it (role, unit, name) to build the navigation. The server decides
// everything; the claims only choose what to show.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { getToken, post, setToken } from '../api/client'

export interface Claims {
  sub: string
  role: string
  unit?: string | null
  leader?: string | null
  name?: string | null
  exp?: number
}

export function decodeClaims(token: string | null): Claims | null {
  if (!token) return null
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
    const json = decodeURIComponent(Array.from(atob(part),
      (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''))
    return JSON.parse(json) as Claims
  } catch {
    return null
  }
}

interface TokenAnswer {
  access_token: string
  must_change_password?: boolean
}

export const useAuth = defineStore('auth', () => {
  const token = ref<string | null>(getToken())
  const mustChange = ref(sessionStorage.getItem('lx.mustChange') === '1')
  /** the last sign-in ended by a 401 (expired or revoked): the sign-in page says so */
  const expired = ref(false)
  const claims = computed(() => decodeClaims(token.value))
  const role = computed(() => claims.value?.role ?? '')
  const signedIn = computed(() => !!claims.value
    && (!claims.value.exp || claims.value.exp * 1000 > Date.now()))

  function use(answer: TokenAnswer) {
    expired.value = false
    token.value = answer.access_token
    setToken(answer.access_token)
    mustChange.value = !!answer.must_change_password
    if (mustChange.value) sessionStorage.setItem('lx.mustChange', '1')
    else sessionStorage.removeItem('lx.mustChange')
  }

  async function signIn(username: string, password: string) {
    use(await post<TokenAnswer>('/auth/token', { username, password }, { staff: false }))
  }

  async function changePassword(current: string, next: string) {
    use(await post<TokenAnswer>('/auth/password',
      { current_password: current, new_password: next }))
  }

  function forget() {
    token.value = null
    setToken(null)
    mustChange.value = false
    sessionStorage.removeItem('lx.mustChange')
  }

  async function signOut() {
    try {
      await post('/auth/logout')
    } catch {
      // an older gateway has no logout, or the token is gone already: forget it anyway
    }
    forget()
  }

  function requirePasswordChange() {
    mustChange.value = true
    sessionStorage.setItem('lx.mustChange', '1')
  }

  return { token, claims, role, signedIn, mustChange, expired, signIn, changePassword, signOut, forget,
    requirePasswordChange }
})
