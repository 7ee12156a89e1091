// Production cdis-manifest manifests the unit tests read, trimmed to their
// versions: healdata.org/manifest.json as last changed in uc-cdis/cdis-manifest
// 049f789e (audit-service, arborist 4.1.0, hatchery 2.3.0, portal 5.38.1
// beside 2025.05; its own frontend image heal-data-commons:1.2.1).
export const ECR = '707767160287.dkr.ecr.us-east-1.amazonaws.com/gen3';
/** healdata.org/manifest.json, trimmed to its versions. */
export const HEALDATA = {
  notes: ['heal production'],
  versions: {
    ambassador: 'quay.io/datawire/ambassador:1.4.2',
    arborist: `${ECR}/arborist:4.1.0`,
    'audit-service': `${ECR}/audit-service:2025.05`,
    'aws-es-proxy': `${ECR}/aws-es-proxy:v1.3.1`,
    dashboard: `${ECR}/gen3-statics:2025.05`,
    fence: `${ECR}/fence:2025.05`,
    fluentd: 'fluent/fluentd-kubernetes-daemonset:v1.15.3-debian-cloudwatch-1.0',
    hatchery: `${ECR}/hatchery:2.3.0`,
    indexd: `${ECR}/indexd:2025.05`,
    manifestservice: `${ECR}/manifestservice:2025.05`,
    metadata: `${ECR}/metadata-service:2025.05`,
    requestor: `${ECR}/requestor:2025.05`,
    peregrine: `${ECR}/peregrine:2025.05`,
    portal: `${ECR}/data-portal:5.38.1`,
    revproxy: `${ECR}/nginx:2025.05`,
    sheepdog: `${ECR}/sheepdog:2025.05`,
    ssjdispatcher: `${ECR}/ssjdispatcher:2025.05`,
    sower: `${ECR}/sower:2025.05`,
    wts: `${ECR}/workspace-token-service:2025.05`,
    'frontend-framework': `${ECR}/heal-data-commons:1.2.1`,
    'cedar-wrapper': 'quay.io/cdis/cedar-wrapper-service:0.6.0',
  },
};
