// `npm start`: the dev server proxies /ordo to an Ordo server (or `npx ordo-status simulate`),
// same origin for the browser (the real server sends no CORS headers), and adds the Bearer token
// on the server side, so the page never holds it.
//   ORDO_BASE_URL=http://127.0.0.1:8787 ORDO_TOKEN=… npm start
const target = process.env.ORDO_BASE_URL ?? 'http://127.0.0.1:8787';
const token = process.env.ORDO_TOKEN ?? '';
export default {
  '/ordo': {
    target,
    changeOrigin: true,
    pathRewrite: { '^/ordo': '' },
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  },
};
