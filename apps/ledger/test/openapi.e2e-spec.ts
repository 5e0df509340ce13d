import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentOpenApi } from '../../../scripts/openapi-snapshot';

describe('OpenAPI snapshot', () => {
  it('docs/openapi.json is the document the service serves (run `npm run openapi` after an HTTP change)', async () => {
    const served = JSON.parse(await currentOpenApi());
    const committed = JSON.parse(readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8'));
    expect(served).toEqual(committed);
    expect(served.info.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
