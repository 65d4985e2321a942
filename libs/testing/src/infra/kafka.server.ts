import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_SCALA_VERSION, KAFKA_VERSION } from './infra.constants';
import { InfraPorts } from './infra.constants';
import { InfraPaths } from './infra-paths';
import { InfraContext, InfraServer, ServerProbe } from './infra-server';
import {
  isAlive,
  readPid,
  runLogged,
  spawnDaemon,
  stopPidFile,
  waitUntil,
  type StopOutcome,
} from './processes';
import { writeExecutable } from './tool-wrappers';

/** Apache Kafka in KRaft mode, one node, from its jars on Maven Central, run with the machine's Java. */
export class KafkaServer implements InfraServer {
  readonly name = 'kafka';

  constructor(private readonly ports: InfraPorts) {}

  connectionString(): string {
    return `127.0.0.1:${this.ports.kafka}`;
  }

  logFile(paths: InfraPaths): string {
    return join(paths.stateDir, 'kafka', 'server.log');
  }

  async probe(connection: string): Promise<ServerProbe> {
    const admin = new Kafka({
      clientId: 'herd-infra-probe',
      brokers: connection.split(','),
      connectionTimeout: 2000,
      requestTimeout: 3000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      const brokers = cluster.brokers.map((b) => `${b.host}:${b.port}`).join(',');
      const ours = connection === this.connectionString();
      return {
        healthy: cluster.brokers.length > 0,
        version: ours ? KAFKA_VERSION : undefined,
        address: brokers,
        detail: `cluster ${cluster.clusterId}, controller ${cluster.controller}`,
      };
    } catch (error) {
      return { healthy: false, address: connection, detail: (error as Error).message };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async start({ paths, progress }: InfraContext): Promise<void> {
    const libs = await this.ensureJars(paths, progress);
    const dir = join(paths.stateDir, 'kafka');
    const dataDir = join(dir, 'data');
    const logFile = this.logFile(paths);
    const configFile = this.configFile(paths);
    const log4jFile = join(dir, 'log4j.properties');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(configFile, this.serverProperties(dataDir));
    writeFileSync(log4jFile, this.log4jProperties());
    const javaArgs = [
      '-Xms256m',
      '-Xmx512m',
      `-Dlog4j.configuration=file:${log4jFile}`,
      '-cp',
      `${libs}/*`,
    ];

    if (!existsSync(join(dataDir, 'meta.properties'))) {
      progress('kafka', `formatting KRaft storage in ${dataDir}`);
      const clusterId = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
      await runLogged(
        'java',
        [...javaArgs, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile],
        {
          step: 'kafka format storage',
          logFile,
        },
      );
    }
    progress('kafka', `starting ${KAFKA_VERSION} (KRaft) on ${this.connectionString()}`);
    const pidFile = join(dir, 'kafka.pid');
    spawnDaemon('java', [...javaArgs, 'kafka.Kafka', configFile], { logFile, pidFile });
    await waitUntil(
      async () => ((await this.probe(this.connectionString())).healthy ? true : undefined),
      {
        step: 'kafka wait for broker',
        timeoutMs: 90_000,
        logFile,
        stillRunning: () => isAlive(readPid(pidFile)),
      },
    );
  }

  private configFile(paths: InfraPaths): string {
    return join(paths.stateDir, 'kafka', 'server.properties');
  }

  stop({ paths }: InfraContext): Promise<StopOutcome> {
    return stopPidFile(join(paths.stateDir, 'kafka', 'kafka.pid'), 20_000, this.configFile(paths));
  }

  writeToolWrappers(paths: InfraPaths): void {
    const libs = this.libsDir(paths);
    const tools: Record<string, string> = {
      'kafka-consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
      'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
    };
    for (const [name, mainClass] of Object.entries(tools)) {
      writeExecutable(
        join(paths.binDir, name),
        `exec java -Xmx256m -Dlog4j.configuration=file:${join(paths.stateDir, 'kafka', 'tools-log4j.properties')} -cp '${libs}/*' ${mainClass} "$@"`,
      );
    }
    writeFileSync(
      join(paths.stateDir, 'kafka', 'tools-log4j.properties'),
      'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=%p %m (%c)%n\n',
    );
  }

  private libsDir(paths: InfraPaths): string {
    return join(paths.cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  }

  /** The Kafka jars, resolved once into the cache; also what the local compose image is made of. */
  async ensureJars(paths: InfraPaths, progress: InfraContext['progress']): Promise<string> {
    const home = join(paths.cacheDir, `kafka-${KAFKA_VERSION}`);
    const libs = this.libsDir(paths);
    const marker = join(home, '.complete');
    if (existsSync(marker)) return libs;
    progress(
      'kafka',
      `resolving Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} (first run only)`,
    );
    rmSync(libs, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'pom.xml'), this.runtimePom());
    await runLogged(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        join(home, 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${libs}`,
        '-DincludeScope=runtime',
      ],
      {
        step: 'kafka resolve jars (mvn)',
        logFile: join(home, 'mvn.log'),
        progress,
        heartbeatMs: 30_000,
      },
    );
    writeFileSync(marker, new Date().toISOString());
    return libs;
  }

  private runtimePom(): string {
    const dependency = (group: string, artifact: string, version: string) =>
      `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
    return [
      '<project xmlns="http://maven.apache.org/POM/4.0.0">',
      '  <modelVersion>4.0.0</modelVersion>',
      '  <groupId>dev.herd.infra</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>',
      '  <dependencies>',
      dependency('org.apache.kafka', `kafka_${KAFKA_SCALA_VERSION}`, KAFKA_VERSION),
      dependency('org.apache.kafka', 'kafka-tools', KAFKA_VERSION),
      dependency('org.slf4j', 'slf4j-reload4j', '1.7.36'),
      '  </dependencies>',
      '</project>',
      '',
    ].join('\n');
  }

  private serverProperties(dataDir: string): string {
    const { kafka, kafkaController } = this.ports;
    return [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=true',
      'log.retention.hours=24',
      'log.segment.bytes=67108864',
      '',
    ].join('\n');
  }

  /** Log4j writes to stdout, which the daemon's log file captures: one file to read on failure. */
  private log4jProperties(): string {
    return [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.state.change.logger=WARN',
      '',
    ].join('\n');
  }
}
