import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { HISTORY_FILES, loadHistory } from '../histories/record-histories';
import { testDataConverter } from '../support/keys';
import { workflowBundle } from '../support/temporal';

/**
 * Today's workflow code replays the saved histories of earlier runs (test/histories, recorded by
 * record-histories.ts): an onboarding that ended active, one that expired, one cancelled, one refused (R-A3) then
 * consented, a serial one whose serial number locked, was resent and then consented, and a fetch that imported
 * and one that ended consent_invalid. A change that would make open
 * workflows nondeterministic after a deploy (an activity moved, a timer added without `patched()`) fails here.
 */
const DIR = path.join(__dirname, '..', 'histories');
const saved = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .sort();

test('every saved history is known to the recorder, and every recorded one is saved', () => {
  expect(saved).toEqual(Object.keys(HISTORY_FILES).sort());
});

test.each(saved)('%s replays on the current workflow code without a nondeterminism error', async (file) => {
  const history = await loadHistory(path.join(DIR, file));
  const workflowId = (HISTORY_FILES as Record<string, string>)[file];
  if (!workflowId) throw new Error(`${file} is not listed in HISTORY_FILES (test/histories/record-histories.ts)`);
  // Throws DeterminismViolationError on nondeterminism and ReplayError when a workflow task fails otherwise.
  // With the product's data converter: payloads written before the codec pass its decode unchanged.
  await Worker.runReplayHistory(
    { workflowBundle: workflowBundle(), dataConverter: testDataConverter },
    history,
    workflowId,
  );
});
