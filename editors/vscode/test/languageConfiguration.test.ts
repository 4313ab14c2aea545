import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const config = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'language-configuration.json'), 'utf8'));

function words(line: string): string[] {
  return line.match(new RegExp(config.wordPattern, 'g')) ?? [];
}

describe('language-configuration.json', () => {
  it('keeps $VAR, ${VAR} and --flag whole', () => {
    assert.deepStrictEqual(words('COPY --from=build-env $APP_HOME ${DEST:-/srv}/x'), [
      'COPY',
      '--from',
      'build-env',
      '$APP_HOME',
      '${DEST:-/srv}',
      'x',
    ]);
    assert.deepStrictEqual(words('RUN --mount=type=cache,target=/root/.npm npm ci'), [
      'RUN',
      '--mount',
      'type',
      'cache',
      'target',
      'root',
      'npm',
      'npm',
      'ci',
    ]);
  });

  it('comments with #, closes quotes and brackets', () => {
    assert.strictEqual(config.comments.lineComment, '#');
    const opens = config.autoClosingPairs.map((p: { open: string }) => p.open);
    for (const open of ['"', "'", '[', '{', '(']) {
      assert.ok(opens.includes(open), open);
    }
  });
});
