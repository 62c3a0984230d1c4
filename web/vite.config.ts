// Vite: the Vue plugin, Element Plus imported on demand (only the components a page uses land in
// its chunk), and in development a proxy to the gateway so the app and the API share an origin.
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
const gateway = env.LX_GATEWAY_URL ?? 'http://127.0.0.1:8010'

export default defineConfig({
  plugins: [
    vue(),
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  server: {
    port: 5173,
    proxy: { '/api': gateway, '/open311': gateway, '/healthz': gateway },
  },
  build: {
    target: 'es2020',
    chunkSizeWarningLimit: 800,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
