import type * as common from '@grafana/grafana-foundation-sdk/common';

/** The data sources the dashboards read, each provisioned by the compose stack under this uid. */
export type DatasourceKind = 'prometheus' | 'loki' | 'tempo';

interface DatasourceFacts {
  /** The dashboard variable that picks the data source. */
  variable: string;
  label: string;
  /** The name Grafana's import form gives the data source input. */
  importInput: string;
  description: string;
}

export const datasourceFacts: Readonly<Record<DatasourceKind, DatasourceFacts>> = {
  prometheus: {
    variable: 'datasource',
    label: 'Prometheus',
    importInput: 'DS_PROMETHEUS',
    description: "The Prometheus that scrapes the event lab's services",
  },
  loki: {
    variable: 'loki',
    label: 'Loki',
    importInput: 'DS_LOKI',
    description: "The Loki that holds the services' JSON logs",
  },
  tempo: {
    variable: 'tempo',
    label: 'Tempo',
    importInput: 'DS_TEMPO',
    description: "The Tempo that receives the services' spans (OTLP)",
  },
};

/**
 * Every query reaches its data source through the dashboard's variable, never a fixed uid, so the
 * JSON imports into any Grafana: the variable defaults to the provisioned data source and offers
 * every other one of its type.
 */
function through(kind: DatasourceKind): common.DataSourceRef {
  return { type: kind, uid: `\${${datasourceFacts[kind].variable}}` };
}

export const prometheus = through('prometheus');
export const loki = through('loki');
export const tempo = through('tempo');
