import type { RouteRecordRaw } from 'vue-router'

// Under /staff (the console's shell and sign-in guard); the API refuses non-admins anyway.
export const adminRoutes: RouteRecordRaw[] = [
  { path: 'admin', redirect: '/staff/admin/routing-rules' },
  { path: 'admin/log', name: 'admin-log', component: () => import('./AdminLog.vue') },
  { path: 'admin/:collection', name: 'admin', component: () => import('./Collection.vue') },
]
