/**
 * How a broker hosts the group coordinator: as a broker component named "group-coordinator",
 * created once per broker incarnation, either up front (the broker's `components` option,
 * e.g. `components: (b) => [groupCoordinatorComponent(b, { groupInitialRebalanceDelayMs: 0 })]`)
 * or lazily by the first group request a broker receives (`groupCoordinatorOf`).
 *
 * A coordinator created late first looks at which __consumer_offsets partitions its broker
 * already leads and loads them; after that the broker's leadership-change hook keeps it current.
 *
 * The broker type is structural (a subset of src/broker's BrokerServices), because src/group
 * may not import src/broker.
 */
import type { GroupCoordinatorConfig } from "./config";
import { GROUP_COORDINATOR_COMPONENT, GroupCoordinator } from "./group-coordinator";
import type { CoordinatorHost } from "./host";

export interface CoordinatorBroker extends CoordinatorHost {
  readonly config: { readonly offsetsTopicNumPartitions: number };
  component(name: string): unknown;
  registerComponent(component: GroupCoordinator): void;
}

/** A new coordinator for `broker` (offsets.topic.num.partitions from the broker's config). */
export function groupCoordinatorComponent(
  broker: CoordinatorHost & { readonly config: { readonly offsetsTopicNumPartitions: number } },
  config: Partial<GroupCoordinatorConfig> = {},
): GroupCoordinator {
  const coordinator = new GroupCoordinator(broker, {
    offsetsTopicNumPartitions: broker.config.offsetsTopicNumPartitions,
    ...config,
  });
  coordinator.syncLeadership();
  return coordinator;
}

/** The broker's coordinator, registered with Kafka's defaults on first use if none was configured. */
export function groupCoordinatorOf(broker: CoordinatorBroker): GroupCoordinator {
  const existing = broker.component(GROUP_COORDINATOR_COMPONENT);
  if (existing instanceof GroupCoordinator) return existing;
  if (existing !== undefined)
    throw new Error(
      `Cannot host the group coordinator: component "${GROUP_COORDINATOR_COMPONENT}" is something else`,
    );
  const coordinator = groupCoordinatorComponent(broker);
  broker.registerComponent(coordinator);
  return coordinator;
}
