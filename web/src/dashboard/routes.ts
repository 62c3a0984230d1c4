import type { RouteRecordRaw } from 'vue-router'

// Under /staff (the console's shell and sign-in guard).
export const dashboardRoutes: RouteRecordRaw[] = [
  { path: 'dashboard', name: 'dashboard', component: () => import('./Dashboard.vue') },
]
