import { Home } from './_components/home.tsx';

/** `/`: the documents list when signed in, the landing page otherwise (decided by the API's `me`). */
export default function HomePage() {
  return <Home />;
}
