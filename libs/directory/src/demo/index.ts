// The demo district (issue 13): a deterministic DirectorySnapshot modelled on 平城区, demo data.
export {
  DEMO_ROTA_FROM,
  DEMO_ROTA_WEEKS,
  pingchengDemoDistrict,
  type PingchengDemoOptions,
} from './pingcheng-demo-district';
