import type { Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CASE_DIRECTORY, type CaseDirectory } from '@tongban/case-handling';
import type { Directory } from '@tongban/directory';

/**
 * The responsibility catalogue's matter categories (权责清单: 物业管理, 公共服务 …), as the KPI
 * queries need them: which matter codes a category holds. The read models keep matter codes
 * only — a category is the catalogue's grouping of them, and the catalogue changes (a matter can
 * move to another category) while the facts stay as they were counted. So a category is resolved
 * to its matter codes when asked, from the current catalogue, and the facts of those matters are
 * summed; a rebuild of the read models never depends on the catalogue.
 */
export interface MatterCategories {
  /** The matter codes the current catalogue files under `category`; none when it has no such category (or there is no catalogue). */
  mattersOf(category: string): readonly string[];
}

export const MATTER_CATEGORIES = Symbol('MATTER_CATEGORIES');

/** Fixed categories (tests): category → its matter codes. */
export function fixedMatterCategories(
  categories: Readonly<Record<string, readonly string[]>>,
): MatterCategories {
  return { mattersOf: (category) => (Object.hasOwn(categories, category) ? categories[category]! : []) };
}

const byDirectory = new WeakMap<Directory, ReadonlyMap<string, readonly string[]>>();

/** The categories of a directory's catalogue, computed once per directory version. */
function categoriesOf(directory: Directory): ReadonlyMap<string, readonly string[]> {
  let categories = byDirectory.get(directory);
  if (!categories) {
    const grouped = new Map<string, string[]>();
    for (const matter of directory.snapshot.matters) {
      grouped.set(matter.category, [...(grouped.get(matter.category) ?? []), matter.code]);
    }
    categories = grouped;
    byDirectory.set(directory, categories);
  }
  return categories;
}

/** The categories of the catalogue the case directory holds now (a new version shows at once). */
export function catalogueMatterCategories(directories: CaseDirectory): MatterCategories {
  return {
    mattersOf(category) {
      const directory = directories.current();
      return directory === null ? [] : (categoriesOf(directory).get(category) ?? []);
    },
  };
}

/**
 * The catalogue of the application's case directory (`CASE_DIRECTORY`, which CaseHandlingModule
 * provides in the api and standalone): looked up in the application when first asked, since that
 * module shares nothing by export and the read models must not start a second copy of the stored
 * directory. An application without one (the projector serves no queries) answers no category.
 */
export const catalogueMatterCategoriesProvider: Provider = {
  provide: MATTER_CATEGORIES,
  inject: [ModuleRef],
  useFactory: (modules: ModuleRef): MatterCategories => {
    let directories: CaseDirectory | null | undefined;
    const found = (): CaseDirectory | null => {
      if (directories === undefined) {
        try {
          directories = modules.get<CaseDirectory>(CASE_DIRECTORY, { strict: false });
        } catch {
          directories = null;
        }
      }
      return directories;
    };
    return {
      mattersOf: (category) => {
        const directory = found();
        return directory === null ? [] : catalogueMatterCategories(directory).mattersOf(category);
      },
    };
  },
};
