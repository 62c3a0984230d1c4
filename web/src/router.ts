// Routes (history mode), as the walks expect them. The citizen pages are their own small
// chunks; everything under /staff is loaded only when a staff page is opened.
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { setAuthProblemHandler } from './api/client'
import { useAuth } from './stores/auth'
import { publicRoutes as receptionPublic, staffRoutes as receptionStaff } from './reception/routes'
import { consultPublicRoutes, consultStaffRoutes } from './consult/routes'
import * as matters from './matters/routes'
import { dashboardRoutes } from './dashboard/routes'
import { adminRoutes } from './admin/routes'

const router = createRouter({
  history: createWebHistory(),
  routes: [
    {
      path: '/',
      component: () => import('./citizen/CitizenLayout.vue'),
      children: [
        { path: '', name: 'home', component: () => import('./citizen/Home.vue') },
        { path: 'submit', name: 'submit', component: () => import('./citizen/Submit.vue') },
        { path: 'receipt/:id', name: 'receipt', component: () => import('./citizen/Receipt.vue') },
        { path: 'track', name: 'track', component: () => import('./citizen/Track.vue') },
        { path: 'track/:id', name: 'track-case', component: () => import('./citizen/Track.vue') },
        { path: 'board', name: 'board', component: () => import('./citizen/Board.vue') },
        ...receptionPublic,
        ...consultPublicRoutes,
        ...matters.citizenRoutes,
      ],
    },
    { path: '/staff/login', name: 'login', component: () => import('./staff/Login.vue') },
    {
      path: '/staff',
      component: () => import('./staff/StaffLayout.vue'),
      meta: { staff: true },
      children: [
        { path: '', name: 'queue', component: () => import('./staff/Queue.vue') },
        { path: 'cases', name: 'cases', component: () => import('./staff/CaseList.vue') },
        { path: 'cases/:id', name: 'case', component: () => import('./staff/CasePage.vue') },
        { path: 'register', name: 'register', component: () => import('./staff/Register.vue') },
        { path: 'inbox', name: 'inbox', component: () => import('./staff/Inbox.vue') },
        // Part 2 slots in here: dashboard/ and admin/ under the same shell.
        ...receptionStaff,
        ...consultStaffRoutes,
        ...matters.staffRoutes,
        ...dashboardRoutes,
        ...adminRoutes,
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
  scrollBehavior: () => ({ top: 0 }),
})

function toLogin(to: RouteLocationNormalized, reason?: string) {
  return { name: 'login', query: { next: to.fullPath, ...(reason ? { reason } : {}) } }
}

router.beforeEach((to) => {
  if (!to.matched.some((r) => r.meta.staff)) return true
  const auth = useAuth()
  if (!auth.signedIn) return toLogin(to, auth.token || auth.expired ? 'expired' : undefined)
  if (auth.mustChange) return toLogin(to, 'change')
  return true
})

// A 401 anywhere: forget the token, sign in again, come back to the same page.
setAuthProblemHandler((err) => {
  const auth = useAuth()
  const current = router.currentRoute.value
  if (err.code === 'password_change_required') {
    auth.requirePasswordChange()
    void router.push(toLogin(current, 'change'))
    return
  }
  auth.forget()
  auth.expired = true
  if (current.name !== 'login') void router.push(toLogin(current, 'expired'))
})

export default router
