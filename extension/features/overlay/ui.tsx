// Small building blocks shared by the overlay's sections.
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { stageStyle } from './format.ts';
import type { LifecycleStage } from '../../platform/messaging/schemas.ts';

// Buttons, inputs, badges and the focus ring are component classes in overlay.css (ov-btn, ov-btn-quiet,
// ov-input, ov-badge, ov-focus, ov-pending, ov-heading); everything else is Tailwind utilities inline.

export function StageDot({ stage }: { stage: LifecycleStage | null }) {
  return <span aria-hidden="true" class={`inline-block size-2.5 shrink-0 rounded-full ${stage ? stageStyle[stage].dot : 'bg-slate-300'}`} />;
}

/** A titled part of the card; the title labels the section for screen readers. */
export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = useId();
  return (
    <section aria-labelledby={id} class="flex flex-col gap-1.5">
      <h3 id={id} class="ov-heading">
        {title}
      </h3>
      {children}
    </section>
  );
}
