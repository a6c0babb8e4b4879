import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type { CadreRecord, StaffRecord } from '@tongban/directory';
import { DevUsers, type DemoUser } from '@tongban/security';
import { CASE_DIRECTORY, type CaseDirectory } from './case-directory';

/**
 * The demo district's people for the dev login (issue 13): every cadre in post and every staff
 * member the directory holds as demo data (`demo: true`, invented people) — never anyone else, so
 * a real directory loaded into a dev deployment offers nobody from it. As the directory is now:
 * a cadre appointed through the admin API can sign in at once.
 */
@Injectable()
export class DirectoryDevUsers implements OnModuleInit {
  constructor(
    @Inject(CASE_DIRECTORY) private readonly directories: CaseDirectory,
    @Optional() private readonly devUsers?: DevUsers,
  ) {}

  onModuleInit(): void {
    this.devUsers?.register({
      users: () => {
        const snapshot = this.directories.current()?.snapshot;
        if (!snapshot) return [];
        return [
          ...snapshot.cadres.filter((c) => c.demo && c.status === 'active').map(cadreUser),
          ...snapshot.staff.filter((s) => s.demo).map(staffUser),
        ];
      },
      find: (id) => {
        const directory = this.directories.current();
        const cadre = directory?.cadre(id);
        if (cadre) return cadre.demo && cadre.status === 'active' ? cadreUser(cadre) : undefined;
        const staff = directory?.snapshot.staff.find((s) => s.id === id);
        return staff?.demo ? staffUser(staff) : undefined;
      },
    });
  }
}

function cadreUser(cadre: CadreRecord): DemoUser {
  return {
    id: cadre.id,
    role: 'cadre',
    orgUnit: cadre.community,
    displayName: `${cadre.name}(${cadre.post}, 演示)`,
    description: `Badge ${cadre.badge} in ${cadre.community}: ${cadre.duties.join('、')}.`,
  };
}

function staffUser(staff: StaffRecord): DemoUser {
  return {
    id: staff.id,
    role: staff.role,
    orgUnit: staff.orgUnit,
    displayName: `${staff.name}(演示)`,
    description: `A ${staff.role.replace('_', ' ')} of ${staff.orgUnit}, from the demo district's directory.`,
  };
}
