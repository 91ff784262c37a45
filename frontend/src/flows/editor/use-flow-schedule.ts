import type { Schedule } from "@flow/bindings";
import { useState } from "react";
import { useSchedules } from "../../schedules/use-schedules";

/** What `useFlowSchedule` gives the editor. */
export interface FlowSchedule {
  /** This flow's schedule; null when it has none (or the list is not loaded yet). */
  schedule: Schedule | null;
  reload: () => void;
  dialogOpen: boolean;
  openDialog: () => void;
  closeDialog: () => void;
}

/** The open flow's schedule and whether its dialog is shown. */
export function useFlowSchedule(slug: string): FlowSchedule {
  const { schedules, reload } = useSchedules();
  const [dialogOpen, setDialogOpen] = useState(false);
  return {
    schedule: schedules?.find((s) => s.slug === slug) ?? null,
    reload,
    dialogOpen,
    openDialog: () => {
      setDialogOpen(true);
    },
    closeDialog: () => {
      setDialogOpen(false);
    },
  };
}
