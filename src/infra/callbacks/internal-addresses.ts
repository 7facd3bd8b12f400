import { BlockList } from 'node:net';

/**
 * Addresses a callback must not reach unless the deployment allows them:
 * this machine, the private networks around it and the cloud metadata
 * service (link-local). IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are
 * matched against the IPv4 ranges by BlockList itself; the prefixes that
 * embed an IPv4 address in other ways (NAT64, 6to4) are refused whole, since
 * they can lead to any IPv4 address, internal ones included.
 */
const IPV4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches this machine
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT, shared address space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // network benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const IPV6: [string, number][] = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['64:ff9b::', 96], // NAT64, well-known prefix
  ['64:ff9b:1::', 48], // NAT64, local use
  ['100::', 64], // discard-only
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

export const internalAddresses = new BlockList();
for (const [net, prefix] of IPV4) internalAddresses.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of IPV6) internalAddresses.addSubnet(net, prefix, 'ipv6');
