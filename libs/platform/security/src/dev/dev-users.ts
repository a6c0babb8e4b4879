import { Injectable } from '@nestjs/common';
import { DEMO_USERS, type DemoUser } from './demo-users';

/** Where more people for the dev login come from: the demo district's directory (issue 13). */
export interface DevUserSource {
  /** The people this source offers now (it may change while the process runs). */
  users(): readonly DemoUser[];
  /** One of them by id, without listing them all. */
  find(id: string): DemoUser | undefined;
}

/**
 * Who the dev login (AUTH_MODE=dev) issues tokens for: the fixed demo users first (their ids are
 * what the docs and tests name), then the people of the registered sources — the demo district's
 * cadres, dispatchers, office staff, supervisors — as the directory holds them now. Sources
 * register themselves (the case application registers the directory); without any, the fixed
 * demo users only.
 */
@Injectable()
export class DevUsers {
  private readonly sources: DevUserSource[] = [];

  register(source: DevUserSource): void {
    this.sources.push(source);
  }

  /** Everyone offered: the fixed demo users, then each source's people not already listed. */
  all(): DemoUser[] {
    const seen = new Set(DEMO_USERS.map((u) => u.id));
    const out = [...DEMO_USERS];
    for (const source of this.sources) {
      for (const user of source.users()) {
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        out.push(user);
      }
    }
    return out;
  }

  find(id: string): DemoUser | undefined {
    const fixed = DEMO_USERS.find((u) => u.id === id);
    if (fixed) return fixed;
    for (const source of this.sources) {
      const found = source.find(id);
      if (found) return found;
    }
    return undefined;
  }
}
