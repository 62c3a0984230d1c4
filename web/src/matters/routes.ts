// The matters screens: staff (under /staff) and the public board of projects (citizen layout).
import type { RouteRecordRaw } from 'vue-router'

export const staffRoutes: RouteRecordRaw[] = [
  { path: 'matters', name: 'matters', component: () => import('./MatterList.vue') },
  { path: 'matters/:id', name: 'matter', component: () => import('./MatterPage.vue') },
]

export const citizenRoutes: RouteRecordRaw[] = [
  { path: 'projects', name: 'projects', component: () => import('./ProjectBoard.vue') },
  { path: 'projects/:id', name: 'project', component: () => import('./ProjectPage.vue') },
]
