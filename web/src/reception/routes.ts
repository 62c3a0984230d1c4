// The reception-day screens: the public schedule and booking (citizen layout), the office's
// schedule and desk (staff shell).
import type { RouteRecordRaw } from 'vue-router'

export const publicRoutes: RouteRecordRaw[] = [
  { path: 'receptions', name: 'receptions', component: () => import('./PublicSchedule.vue') },
  { path: 'receptions/:id/book', name: 'reception-book', component: () => import('./Book.vue') },
]

export const staffRoutes: RouteRecordRaw[] = [
  { path: 'receptions', name: 'staff-receptions', component: () => import('./Schedule.vue') },
  { path: 'receptions/:id', name: 'reception-desk', component: () => import('./Desk.vue') },
]
