import type { CalendarYear } from '../calendar-year';
import { YEAR_2025 } from './year-2025';
import { YEAR_2026 } from './year-2026';

export { YEAR_2025, YEAR_2026 };

/** The years shipped with the code, each from its State Council notice; admins load further years. */
export const STATE_COUNCIL_YEARS: readonly CalendarYear[] = [YEAR_2025, YEAR_2026];
