import { DEAD_LETTER_HEADERS, MAX_DEAD_LETTER_ERROR_LENGTH, deadLetterHeaders } from './dead-letter';

describe('dead letter headers', () => {
  const failure = {
    consumer: 'stats-service',
    errorCode: 'envelope.not_json',
    error: 'The value is not JSON',
    sourceTopic: 'tongban.case-events.v1',
    sourcePartition: 3,
    sourceOffset: '9007199254740993',
    attempts: 5,
    failedAt: new Date('2026-11-27T01:30:00.125Z'),
  };

  it('are strings under the documented names', () => {
    expect(deadLetterHeaders(failure)).toEqual({
      'tongban-dlq-consumer': 'stats-service',
      'tongban-dlq-error-code': 'envelope.not_json',
      'tongban-dlq-error': 'The value is not JSON',
      'tongban-dlq-source-topic': 'tongban.case-events.v1',
      'tongban-dlq-source-partition': '3',
      'tongban-dlq-source-offset': '9007199254740993',
      'tongban-dlq-attempts': '5',
      'tongban-dlq-failed-at': '2026-11-27T01:30:00.125Z',
    });
    expect(Object.keys(deadLetterHeaders(failure)).sort()).toEqual(Object.values(DEAD_LETTER_HEADERS).sort());
  });

  it('cut a long error, without splitting a character', () => {
    const error = deadLetterHeaders({ ...failure, error: '😀'.repeat(5000) })[DEAD_LETTER_HEADERS.error]!;
    expect(Array.from(error)).toHaveLength(MAX_DEAD_LETTER_ERROR_LENGTH);
    expect(error.endsWith('😀…')).toBe(true);
  });
});
