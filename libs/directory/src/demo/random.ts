/**
 * A seeded pseudo-random source (mulberry32), so that the demo district is the same on every
 * call and every machine: the domain never asks the platform for randomness.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

const SURNAMES = [
  ...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹易常武乔贺赖龚文',
];
// The commonest surnames again, so they come up about as often as they do in life.
const COMMON_SURNAMES = [...'王李张刘陈杨赵黄周吴'];
const GIVEN = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌鹏辉宇浩凯晨欣怡婷雪琳颖慧佳嘉俊峰亮海波宁丹萍梅燕鑫晶瑞博晓春秋冬云飞龙荣新立成德福贵祥喜利永忠淑凤彦',
];

/** Invented Chinese personal names (demo people). */
export class NameGenerator {
  constructor(private readonly random: SeededRandom) {}

  /** A name not in `taken` (which it then joins). */
  uniqueName(taken: Set<string>): string {
    for (;;) {
      const name = this.name();
      if (!taken.has(name)) {
        taken.add(name);
        return name;
      }
    }
  }

  name(): string {
    const surname = this.random.chance(0.4) ? this.random.pick(COMMON_SURNAMES) : this.random.pick(SURNAMES);
    const given = this.random.chance(0.65)
      ? this.random.pick(GIVEN) + this.random.pick(GIVEN)
      : this.random.pick(GIVEN);
    return surname + given;
  }

  /** An invented mainland mobile number (demo data): 11 digits, 13x/15x/17x/18x/19x. */
  phone(taken: Set<string>): string {
    for (;;) {
      let phone = `1${this.random.pick(['3', '5', '7', '8', '9'])}${this.random.int(0, 9)}`;
      for (let i = 0; i < 8; i++) phone += String(this.random.int(0, 9));
      if (!taken.has(phone)) {
        taken.add(phone);
        return phone;
      }
    }
  }
}
