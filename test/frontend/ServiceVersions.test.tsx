// Versions shown as the images state them: a service on
// master, main or a semver tag shows that tag, a digest-pinned one its digest,
// never a release it is assumed to be. Tags from uc-cdis/cdis-manifest
// 64134748: healdata.org/manifest.json (frontend-framework
// heal-data-commons:1.2.1), gen3.biodatacatalyst.nhlbi.nih.gov/manifest.json
// (frontend-framework bdc-data-commons:main); gen3-helm 42cc46bc charts
// default to master.
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ServicesTable } from '../../src/pages/commons/ServicesTable';
import { PlanReview } from '../../src/pages/deploy/PlanReview';
import { testIds } from '../../src/testIds';
import { plan, service } from './support/fixtures';

const ECR = '707767160287.dkr.ecr.us-east-1.amazonaws.com/gen3';
const DIGEST = 'sha256:9b2a3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

describe('service versions', () => {
  it('the services table shows each service\'s version as reported: master, a semver tag, a digest', () => {
    render(
      <ServicesTable
        commonsName="heal"
        services={[
          service('fence', { image: 'quay.io/cdis/fence:master', version: 'master' }),
          service('frontend-framework', { image: `${ECR}/heal-data-commons:1.2.1`, version: '1.2.1' }),
          service('indexd', { image: `quay.io/cdis/indexd@${DIGEST}`, version: 'sha256:9b2a3c4d5e6f' }),
        ]}
      />,
    );
    expect(screen.getByRole('columnheader', { name: 'Version' })).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.commons.serviceRow('fence'))).getByText('master')).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.commons.serviceRow('frontend-framework'))).getByText('1.2.1')).toBeInTheDocument();
    expect(within(screen.getByTestId(testIds.commons.serviceRow('indexd'))).getByText('sha256:9b2a3c4d5e6f')).toBeInTheDocument();
  });

  it('the plan shows a digest-pinned image by its digest and a frontend image by its own name and tag', () => {
    render(
      <PlanReview
        plan={plan({
          services: [
            { name: 'indexd', from: `quay.io/cdis/indexd@${DIGEST}`, to: 'quay.io/cdis/indexd:2026.07', state: 'pending', updated: 0, ready: 2, desired: 2, message: '', changes: true },
            { name: 'frontend-framework', from: `${ECR}/bdc-data-commons:main`, to: `${ECR}/bdc-data-commons:main`, state: 'done', updated: 1, ready: 1, desired: 1, message: '', changes: false },
          ],
        })}
      />,
    );
    const indexd = screen.getByTestId(testIds.deploy.planService('indexd'));
    expect(indexd).toHaveTextContent('sha256:9b2a3c4d5e6f → 2026.07');
    expect(indexd).not.toHaveTextContent('(was indexd'); // the same image, pinned then by digest
    const ff = screen.getByTestId(testIds.deploy.planService('frontend-framework'));
    expect(ff).toHaveTextContent('main (unchanged)');
    expect(ff).toHaveTextContent('(bdc-data-commons)');
  });
});
