/**
 * One screen line in Ink: a Text per segment, the tone mapped to a colour by PALETTE (none when colour
 * is off: NO_COLOR, --no-color). Bold, dim and inverse are attributes, not colours, and stay.
 */
import React, { memo } from 'react';
import { Text } from 'ink';
import { merge, PALETTE, type Line } from './line.js';

export const LineView = memo(function LineView({ line, color }: { line: Line; color: boolean }) {
  if (line.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate">
      {merge(line).map((s, i) => {
        const c = color && s.tone ? PALETTE[s.tone] : undefined;
        return (
          <Text key={i} {...(c ? { color: c } : {})} bold={!!s.bold} dimColor={!!s.dim || s.tone === 'muted'} inverse={!!s.inverse}>
            {s.text}
          </Text>
        );
      })}
    </Text>
  );
}, same);

function same(a: { line: Line; color: boolean }, b: { line: Line; color: boolean }): boolean {
  if (a.color !== b.color || a.line.length !== b.line.length) return false;
  for (let i = 0; i < a.line.length; i++) {
    const x = a.line[i]!;
    const y = b.line[i]!;
    if (x.text !== y.text || x.tone !== y.tone || !!x.bold !== !!y.bold || !!x.dim !== !!y.dim || !!x.inverse !== !!y.inverse) return false;
  }
  return true;
}
