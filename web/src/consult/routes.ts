// The routes of asking the public: the public pages under the citizen layout, the office's
// under /staff (both lazy-loaded).
import type { RouteRecordRaw } from 'vue-router'

export const consultPublicRoutes: RouteRecordRaw[] = [
  { path: 'consult', name: 'consult-list', component: () => import('./ConsultList.vue') },
  { path: 'consult/:id', name: 'consult', component: () => import('./ConsultPage.vue') },
  { path: 'surveys/:id', name: 'survey', component: () => import('./SurveyAnswer.vue') },
]

export const consultStaffRoutes: RouteRecordRaw[] = [
  { path: 'consult', name: 'staff-consult', component: () => import('./StaffConsultations.vue') },
  { path: 'consult/:id', name: 'staff-consultation', component: () => import('./StaffConsultation.vue') },
  { path: 'surveys', name: 'staff-surveys', component: () => import('./StaffSurveys.vue') },
  { path: 'surveys/:id', name: 'staff-survey', component: () => import('./StaffSurvey.vue') },
]
