/**
 * Confidentiality levels as people see them (ACL-2): the organisation may give each level a
 * label ("Strictly confidential", "绝密"); names stay the identifiers on the wire. Capabilities
 * carry the labels, so every screen shows the same words the admin chose.
 */
import { useApp } from './app-context';
import type { Capabilities } from './app-context';

/** The label of `level` from capabilities, else the level's own name. */
export function levelLabel(caps: Capabilities | null, level: string): string {
  return caps?.levels.find((l) => l.name === level)?.label || level;
}

/** `levelLabel` bound to the signed-in user's capabilities. */
export function useLevelLabel(): (level: string) => string {
  const { caps } = useApp();
  return (level) => levelLabel(caps, level);
}
