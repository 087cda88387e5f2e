/// <reference types="vitest/config" />
// Vite builds the SPA into dist/ with base /static/ so Django (whitenoise) serves it.
// The dev server proxies /api and /admin to a local Django on :8000.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  base: "/static/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/admin": "http://127.0.0.1:8000",
    },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"], globals: true },
});
