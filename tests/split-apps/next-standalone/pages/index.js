export default function Home() {
  return <p>next-standalone: hello from a static page</p>;
}
