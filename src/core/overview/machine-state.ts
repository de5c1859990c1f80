import { ComponentRegistry } from '../registry/component-registry';
import { ComponentsState, readComponentsState } from './components-state';
import { HubsState, readHubsState, ReadHubsOptions } from './hubs-state';

/**
 * A host-free snapshot of this machine's state: the component registry with lease states, and the
 * hubs with their locks. The CLI prints it, the editor draws it, and (next) the station agent
 * publishes it — one computation, one JSON shape (state-json.ts).
 */

export interface MachineState {
  components: ComponentsState;
  hubs: HubsState;
}

export async function readMachineState(registry: ComponentRegistry, hubs: ReadHubsOptions): Promise<MachineState> {
  const [components, hubState] = await Promise.all([readComponentsState(registry), readHubsState(hubs)]);
  return { components, hubs: hubState };
}
