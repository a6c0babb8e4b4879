import { Writable } from 'node:stream';
import pino from 'pino';
import { pinoOptions } from './logging.module';
import {
  maskAddress,
  maskIdNumber,
  maskName,
  maskPersonalDataInText,
  maskPhone,
  redactPersonalData,
} from './personal-data';

describe('masking personal data', () => {
  it('masks phone numbers the way residents know from receipts', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('+86 138-1234-1234')).toBe('138****1234');
    expect(maskPhone('12345')).toBe('*****');
  });

  it('masks resident ID numbers, keeping region and check digits', () => {
    expect(maskIdNumber('11010119900307123X')).toBe('110101********123X');
  });

  it('masks names and addresses', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('李*');
    expect(maskAddress('平城区南关街道永泰社区3号楼2单元501')).toBe('平城区南关街***');
  });

  it('finds phone and ID numbers inside free text', () => {
    const text = '居民电话13812341234，身份证号11010119900307123X，订单号20261127000123456789不是身份证';
    const masked = maskPersonalDataInText(text);
    expect(masked).toContain('138****1234');
    expect(masked).toContain('110101********123X');
    expect(masked).not.toContain('13812341234');
    expect(masked).not.toContain('11010119900307123X');
    expect(masked).toContain('20261127000123456789');
  });

  it('redacts nested objects by field name and by pattern, and drops credentials', () => {
    const redacted = redactPersonalData({
      resident: {
        name: '王小明',
        phone: '13900001111',
        idNumber: '110101199003071234',
        address: '平城区新建北路街道12号',
      },
      note: 'call 13900001111',
      headers: { authorization: 'Bearer abc.def.ghi' },
      list: [{ contactPhone: '13700001111' }],
    });
    const text = JSON.stringify(redacted);
    for (const secret of [
      '王小明',
      '13900001111',
      '110101199003071234',
      '新建北路街道12号',
      'abc.def.ghi',
      '13700001111',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('139****1111');
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { phone: '13800000000' };
    a['self'] = a;
    expect(redactPersonalData(a)).toEqual({ phone: '138****0000', self: '[circular]' });
  });
});

describe('the logger', () => {
  it('never writes a phone or ID number unmasked, in fields, messages or errors', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino(pinoOptions('test', 'info'), sink);
    logger.info({ resident: { phone: '13812345678', name: '赵四' } }, 'case filed');
    logger.info('resident 13812345678 called about ID 11010119900307123X');
    logger.error({ err: new Error('lookup failed for 13812345678') }, 'failure');
    const output = lines.join('');
    expect(lines).toHaveLength(3);
    expect(output).not.toContain('13812345678');
    expect(output).not.toContain('11010119900307123X');
    expect(output).not.toContain('赵四');
    expect(output).toContain('138****5678');
  });
});
