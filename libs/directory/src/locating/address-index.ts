import {
  type AddressRecord,
  type CommunityRecord,
  type DirectorySnapshot,
  type DistrictRecord,
  type StreetRecord,
} from '../model';
import { normalizeAddress } from './normalize-address';

/** Where an address is, and the record that said so. */
export interface AddressMatch {
  readonly community: string;
  readonly grid: string;
  /** The text of the index's record that matched. */
  readonly matched: string;
}

export type AddressResolution =
  | ({ readonly kind: 'found' } & AddressMatch)
  /** The text fits records in different grids and nothing in it tells them apart. */
  | { readonly kind: 'ambiguous'; readonly candidates: readonly AddressRecord[] }
  | { readonly kind: 'unknown' };

/** The place names an address may start with, and therefore may leave out. */
export interface AddressPlaces {
  readonly district?: DistrictRecord;
  readonly streets?: readonly StreetRecord[];
  readonly communities?: readonly CommunityRecord[];
  /** Regions above the district, outermost first. */
  readonly enclosingRegions?: readonly string[];
}

/** Pingcheng district lies in Datong city, Shanxi province. */
export const DEFAULT_ENCLOSING_REGIONS: readonly string[] = ['中华人民共和国', '中国', '山西省', '大同市'];

/** What a prefix names: nothing the index tracks (a region), a street or a community. */
interface PrefixPlace {
  readonly street?: string;
  readonly community?: string;
}

interface Prefix {
  readonly places: PrefixPlace[];
  /**
   * A full form carries its administrative suffix (平城区, 古城街道, 太阳城社区) and is stripped from
   * records and queries; a short form (平城, 古城, 太阳城) could also begin a compound's name, so it
   * is only tried on queries, next to the reading that keeps it.
   */
  full: boolean;
}

interface Entry {
  /** Records with this key, in the order given. */
  readonly records: AddressRecord[];
  readonly grids: Set<string>;
}

/** A character trie: record keys, and the place names a query may start with. */
interface TrieNode<T> {
  children?: Map<number, TrieNode<T>>;
  value?: T;
}

function trieInsert<T>(root: TrieNode<T>, key: string): TrieNode<T> {
  let node = root;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    node.children ??= new Map();
    let child = node.children.get(c);
    if (!child) {
      child = {};
      node.children.set(c, child);
    }
    node = child;
  }
  return node;
}

/** A reading of the query: the key starts at `at`, after place names naming these places. */
interface Start {
  readonly at: number;
  readonly streets: string[];
  readonly communities: string[];
}

const STREET_SUFFIXES = ['街道办事处', '街道办', '街道', '镇人民政府', '乡人民政府', '镇', '乡'];
const COMMUNITY_SUFFIXES = ['社区居民委员会', '社区居委会', '社区', '居民委员会', '居委会'];
/** Dropped from keys wherever they appear: 太阳城小区 = 太阳城社区 = 太阳城. */
const COMPOUND_SUFFIXES = /小区|社区/g;
const XIAO = '小'.charCodeAt(0);
const SHE = '社'.charCodeAt(0);
const QU = '区'.charCodeAt(0);
const MAX_READINGS = 32;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlnum = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 122);
/** 栋 号 元(单元) 层 室 院 — after these a key may stop and the query go on (5栋|2单元, 18号|院). */
const MARKER_ENDS = new Set(['栋', '号', '元', '层', '室', '院'].map((c) => c.charCodeAt(0)));

/**
 * A key ending in `last` may stop before `next` (-1: the end of the query) when it does not cut
 * a number or word in half: after a digit or letter only a non-alphanumeric may follow (5栋 is not
 * the start of 50栋, nor 5 of 15); after a marker anything may follow (room, unit, floor); after a
 * name only a number may follow (云泉里|5栋), never more name (云泉里 is not 云泉里花园).
 */
function isKeyEnd(last: number, next: number): boolean {
  if (next < 0) return true;
  if (isAlnum(last)) return !isAlnum(next) && next !== 45; // '-'
  if (MARKER_ENDS.has(last)) return true;
  return isAlnum(next);
}

/** Past any 小区/社区 at `at`: keys are compared without them. */
function skipCompoundSuffixes(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if ((c === XIAO || c === SHE) && text.charCodeAt(i + 1) === QU) i += 2;
    else return i;
  }
}

/**
 * Address text → community and grid, from the directory's maintained address records, without
 * outside services (issue 13).
 *
 * Each record is indexed under one key: its normalized text (`normalizeAddress`), stripped of
 * leading full-form place names (省/市, the district, a street with 街道, a community with 社区;
 * never when that would leave a key starting with a number), with 小区/社区 removed. A query is
 * normalized the same way and read with and without each leading place name, full or short
 * (山西 大同 平城 古城街 古城 太阳城…), in any order. For each reading the longest prefix of its key
 * that is a record's key and ends on a boundary (`isKeyEnd`) matches: 云泉里小区5号楼2单元301室
 * finds 云泉里5栋, and never 15栋 or 50栋. The reading whose match leaves the least unmatched
 * text wins.
 *
 * A key held by records in different grids is ambiguous. The place names the query started with
 * settle it when they leave one grid (古城街道幸福小区5号楼 when there is a 幸福小区 in two streets);
 * otherwise the answer is `ambiguous`, never a guess. A compound-level record (云泉里小区) answers
 * for any building of the compound that has no record of its own.
 *
 * Cost: one normalization (a few linear regex passes, most skipped by cheap guards), then walks
 * of two character tries — place names from each reading's start, record keys along the query —
 * that stop where no key continues: independent of the number of records, never a scan.
 */
export class AddressIndex {
  private readonly records: TrieNode<Entry> = {};
  private readonly prefixes: TrieNode<Prefix> = {};
  private readonly streetOfCommunity = new Map<string, string>();
  private readonly recordCount: number;
  private keyCount = 0;

  static fromSnapshot(
    snapshot: Pick<DirectorySnapshot, 'district' | 'streets' | 'communities' | 'addresses'>,
  ): AddressIndex {
    return new AddressIndex(snapshot.addresses, snapshot);
  }

  constructor(addresses: readonly AddressRecord[], places: AddressPlaces = {}) {
    for (const region of places.enclosingRegions ?? DEFAULT_ENCLOSING_REGIONS) {
      this.addPlaceNames(region, ['省', '市', '自治区'], {});
    }
    if (places.district) this.addPlaceNames(places.district.name, ['区', '县', '市'], {});
    for (const street of places.streets ?? []) {
      this.addPlaceNames(street.name, STREET_SUFFIXES, { street: street.code });
      // 古城街 for 古城街道: written often, but also a road's name, hence short.
      const normalized = normalizeAddress(street.name);
      const base = stripSuffix(normalized, STREET_SUFFIXES);
      if (base !== undefined && base.length >= 2 && normalized.endsWith('街道')) {
        this.addPrefix(`${base}街`, { street: street.code }, false);
      }
    }
    for (const community of places.communities ?? []) {
      this.streetOfCommunity.set(community.code, community.street);
      this.addPlaceNames(community.name, COMMUNITY_SUFFIXES, { community: community.code });
    }

    for (const record of addresses) {
      const key = this.recordKey(normalizeAddress(record.text));
      if (key === '') continue;
      const node = trieInsert(this.records, key);
      if (!node.value) {
        node.value = { records: [], grids: new Set() };
        this.keyCount++;
      }
      node.value.records.push(record);
      node.value.grids.add(record.grid);
    }
    this.recordCount = addresses.length;
  }

  /** Records indexed, and distinct keys they made. */
  get size(): { readonly records: number; readonly keys: number } {
    return { records: this.recordCount, keys: this.keyCount };
  }

  /** The community and grid of `text`, or undefined when unknown or ambiguous. */
  locate(text: string): AddressMatch | undefined {
    const resolution = this.resolve(text);
    return resolution.kind === 'found'
      ? { community: resolution.community, grid: resolution.grid, matched: resolution.matched }
      : undefined;
  }

  resolve(text: string): AddressResolution {
    if (typeof text !== 'string') return { kind: 'unknown' };
    const normalized = normalizeAddress(text);
    if (normalized === '') return { kind: 'unknown' };
    // The reading whose match ends furthest into the query leaves the least unmatched.
    let bestEnd = -1;
    const best: { entry: Entry; start: Start }[] = [];
    for (const start of this.readings(normalized)) {
      // A place name right before a number is part of the address (太阳城社区5号楼), not a prefix.
      if (start.at > 0 && isDigit(normalized.charCodeAt(skipCompoundSuffixes(normalized, start.at))))
        continue;
      const match = this.longestMatch(normalized, start.at);
      if (!match || match.end < bestEnd) continue;
      if (match.end > bestEnd) {
        bestEnd = match.end;
        best.length = 0;
      }
      if (!best.some((b) => b.entry === match.entry)) best.push({ entry: match.entry, start });
    }
    if (best.length === 0) return { kind: 'unknown' };
    if (best.length === 1 && best[0]!.entry.grids.size === 1) return found(best[0]!.entry.records[0]!);

    const byGrid = new Map<string, AddressRecord>();
    const candidates = new Set<AddressRecord>();
    for (const { entry, start } of best) {
      const fitting = entry.grids.size > 1 ? entry.records.filter((r) => this.fits(r, start)) : [];
      for (const record of fitting.length > 0 ? fitting : entry.records) {
        candidates.add(record);
        if (!byGrid.has(record.grid)) byGrid.set(record.grid, record);
      }
    }
    if (byGrid.size === 1) return found(byGrid.values().next().value!);
    return { kind: 'ambiguous', candidates: [...candidates] };
  }

  /** The record lies in the streets and communities the query named before the address, if any. */
  private fits(record: AddressRecord, start: Start): boolean {
    if (start.communities.length > 0 && !start.communities.includes(record.community)) return false;
    if (start.streets.length > 0) {
      const street = this.streetOfCommunity.get(record.community);
      if (street === undefined || !start.streets.includes(street)) return false;
    }
    return true;
  }

  /**
   * The longest record key that `text` continues from `from`, ending on a key boundary, skipping
   * 小区/社区 as the keys do; `end` is where it stops in `text`.
   */
  private longestMatch(text: string, from: number): { end: number; entry: Entry } | undefined {
    let node: TrieNode<Entry> | undefined = this.records;
    let i = skipCompoundSuffixes(text, from);
    let last = -1;
    let match: { end: number; entry: Entry } | undefined;
    while (node) {
      const next = i < text.length ? text.charCodeAt(i) : -1;
      if (node.value && last >= 0 && isKeyEnd(last, next)) match = { end: i, entry: node.value };
      if (next < 0) break;
      node = node.children?.get(next);
      last = next;
      i = skipCompoundSuffixes(text, i + 1);
    }
    return match;
  }

  /**
   * Every reading of the query's leading place names: the query as written, and after one or
   * more of them in a row, with the streets and communities they named (merged when two readings
   * reach the same position). Breadth-first and bounded; a name that would leave nothing is not
   * a prefix.
   */
  private readings(text: string): Start[] {
    const starts: Start[] = [{ at: 0, streets: [], communities: [] }];
    for (let s = 0; s < starts.length && starts.length < MAX_READINGS; s++) {
      const from = starts[s]!;
      let node: TrieNode<Prefix> | undefined = this.prefixes;
      for (let i = from.at; node && i < text.length - 1;) {
        node = node.children?.get(text.charCodeAt(i));
        i++;
        if (!node?.value) continue;
        let reached = starts.find((r) => r.at === i);
        if (!reached) {
          reached = { at: i, streets: [], communities: [] };
          starts.push(reached);
        }
        for (const code of from.streets) addOnce(reached.streets, code);
        for (const code of from.communities) addOnce(reached.communities, code);
        for (const place of node.value.places) {
          if (place.street !== undefined) addOnce(reached.streets, place.street);
          if (place.community !== undefined) addOnce(reached.communities, place.community);
        }
      }
    }
    return starts;
  }

  /** Records drop leading full-form place names only, longest first, keeping a name before a number. */
  private recordKey(normalized: string): string {
    let at = 0;
    for (;;) {
      let node: TrieNode<Prefix> | undefined = this.prefixes;
      let next = -1;
      for (let i = at; node && i < normalized.length - 1;) {
        node = node.children?.get(normalized.charCodeAt(i));
        i++;
        if (node?.value?.full && !isDigit(normalized.charCodeAt(skipCompoundSuffixes(normalized, i))))
          next = i;
      }
      if (next < 0) break;
      at = next;
    }
    return normalized.slice(at).replace(COMPOUND_SUFFIXES, '');
  }

  /** The name as written and with each administrative suffix (full forms), and its base (short). */
  private addPlaceNames(name: string, suffixes: readonly string[], place: PrefixPlace): void {
    const normalized = normalizeAddress(name);
    if (normalized === '') return;
    this.addPrefix(normalized, place, true);
    const base = stripSuffix(normalized, suffixes);
    if (base === undefined || base === '') return;
    for (const suffix of suffixes) this.addPrefix(base + suffix, place, true);
    if (base.length >= 2) this.addPrefix(base, place, false);
  }

  private addPrefix(text: string, place: PrefixPlace, full: boolean): void {
    const node = trieInsert(this.prefixes, text);
    if (node.value) {
      node.value.places.push(place);
      node.value.full &&= full;
    } else {
      node.value = { places: [place], full };
    }
  }
}

function found(record: AddressRecord): AddressResolution {
  return { kind: 'found', community: record.community, grid: record.grid, matched: record.text };
}

function addOnce(list: string[], code: string): void {
  if (!list.includes(code)) list.push(code);
}

function stripSuffix(name: string, suffixes: readonly string[]): string | undefined {
  const suffix = suffixes.find((s) => name.endsWith(s) && name.length > s.length);
  return suffix === undefined ? undefined : name.slice(0, -suffix.length);
}
